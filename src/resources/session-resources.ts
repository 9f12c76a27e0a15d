import type { Clock } from '../core/clock.js';
import { errorMessage, SessionError } from '../core/errors.js';
import { TypedEvents } from '../core/events.js';
import { reportFailure } from '../core/failures.js';
import { noop } from '../core/functions.js';
import { maskSessionId } from '../core/logger.js';
import { assertValidSessionId } from '../core/session-id.js';
import { type ResolveOptions, SessionManager } from '../core/session-manager.js';
import { PeriodicJob, withTimeout } from '../core/timers.js';
import type { EndReason, Resolution } from '../core/types.js';
import { type Closer, findCloser } from './closer.js';
import { isResourceError, ResourceError } from './errors.js';
import { IdleList, type IdleNode } from './idle-list.js';
import {
  type ResolvedResourceOptions,
  resolveResourceOptions,
  type SessionResourcesOptions,
} from './options.js';
import type {
  ResourceCloseReason,
  ResourceContext,
  ResourceEvents,
  ResourceFailure,
  ResourceStats,
} from './types.js';

/** The longest resource key accepted. */
const MAX_KEY_CHARS = 1024;
/** How many times a get starts over when the entry it waited for went away meanwhile. */
const MAX_ATTEMPTS = 3;

/** What the pool holds for one session. */
interface Group<R> {
  readonly sessionId: string;
  readonly entries: Map<string, Entry<R>>;
  /** The session's owner, known once an active resolution confirmed the session. */
  owner: string | undefined;
  confirmed: boolean;
  /** Why the session ended, once its end hook ran. */
  endReason: EndReason | undefined;
  unsubscribe: () => void;
}

/** One resource (or its creation in flight). */
interface Entry<R> extends IdleNode {
  readonly group: Group<R>;
  readonly key: string;
  /** The owner of the get that started the creation. */
  readonly creator: string | undefined;
  state: 'creating' | 'ready' | 'closing';
  resource: R | undefined;
  closer: Closer | undefined;
  creation: Promise<R> | undefined;
  /** Rejects the getters of a creation in flight at once when it is abandoned. */
  abandon: ((error: ResourceError) => void) | undefined;
  controller: AbortController | undefined;
  /** Set when the resource stopped being wanted while it was being created. */
  doomed: ResourceCloseReason | undefined;
  /** Why it is being closed, once its close started. */
  closeReason: ResourceCloseReason | undefined;
  failures: number;
  lastError: unknown;
  uses: number;
}

/**
 * A pool of per-session resources (backend connections, spawned processes, database handles)
 * whose lifetime follows the session.
 *
 * `get(sessionId, key)` answers the resource for that pair, creating it with the `create`
 * option on first use; concurrent gets share one creation. Every resource is closed exactly
 * once, awaited and bounded by `closeTimeoutMs`: when its session ends for any reason (through
 * {@link SessionManager.onEnd}, so also on the manager's `close()`), when it idles past
 * `idleTimeoutMs`, after `maxFailures` consecutive failures, on {@link SessionResources.delete}
 * and on {@link SessionResources.close}. Closing failures go to the `error` event (and the
 * logger), never to a getter.
 *
 * A get whose resource is already held does no I/O: it checks the owner against the one the
 * session was confirmed with. A get that creates first resolves the session (one store call).
 * Gets do not touch the session; acquire it for the request as usual.
 *
 * @example
 * ```ts
 * const backends = new SessionResources(sessions, {
 *   create: ({ key }) => connectTo(key),
 *   idleTimeoutMs: 60_000,
 * });
 * const rows = await backends.use(sessionId, 'db', (db) => db.query(sql), { owner });
 * ```
 */
export class SessionResources<R> {
  readonly #manager: SessionManager;
  readonly #options: ResolvedResourceOptions<R>;
  readonly #clock: Clock;
  readonly #events = new TypedEvents<ResourceEvents>();
  readonly #groups = new Map<string, Group<R>>();
  readonly #idle = new IdleList<Entry<R>>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #closedBy: Record<ResourceCloseReason, number> = {
    'session-ended': 0,
    idle: 0,
    failures: 0,
    deleted: 0,
    shutdown: 0,
  };
  #resources = 0;
  #creating = 0;
  #inUse = 0;
  #created = 0;
  #createFailures = 0;
  #failures = 0;
  #closeFailures = 0;
  #evicted = 0;
  readonly #sweeper: PeriodicJob;
  #closing: Promise<void> | undefined;

  /**
   * @throws SessionError `INVALID_ARGUMENT` when `manager` is not a {@link SessionManager};
   * `INVALID_OPTION` naming the field, the value and the accepted range.
   */
  constructor(manager: SessionManager, options: SessionResourcesOptions<R>) {
    if (!(manager instanceof SessionManager)) {
      throw new SessionError(
        'INVALID_ARGUMENT',
        'SessionResources expects a SessionManager as its first argument.',
      );
    }
    this.#manager = manager;
    this.#options = resolveResourceOptions(options);
    this.#clock = this.#options.clock ?? manager.clock;
    this.#sweeper = new PeriodicJob(() => void this.sweep(), this.#options.sweepIntervalMs);
    if (this.#options.autoStart) this.start();
  }

  /** True once {@link SessionResources.close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** True while the idle sweeper runs. */
  get running(): boolean {
    return this.#sweeper.running;
  }

  /** Subscribes to an event; answers a function that unsubscribes. */
  on<K extends keyof ResourceEvents>(event: K, listener: ResourceEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /** Unsubscribes a listener added with {@link SessionResources.on}. */
  off<K extends keyof ResourceEvents>(event: K, listener: ResourceEvents[K]): void {
    this.#events.off(event, listener);
  }

  /**
   * Answers the resource held for `(sessionId, key)`, creating it first if there is none.
   * Concurrent gets for the same pair share one creation. Restarts the resource's idle clock.
   *
   * @param options.owner the caller's principal; another owner's session is refused as not found.
   * @throws ResourceError `SESSION_NOT_FOUND`, `SESSION_ENDED` (also when the session ends
   * while the resource is being created: the late resource is closed), `CREATE_FAILED` (cause:
   * the factory's error), `INVALID_RESOURCE`, `DELETED`, `CLOSED`; SessionError
   * `INVALID_SESSION_ID`, `INVALID_ARGUMENT` (bad key), `STORE_UNAVAILABLE`, `CLOSED` (manager).
   */
  get(sessionId: string, key: string, options?: ResolveOptions): Promise<R> {
    const entry = this.#groups.get(sessionId)?.entries.get(key);
    if (entry !== undefined && entry.state === 'ready' && entry.group.owner === options?.owner) {
      this.#touch(entry);
      return Promise.resolve(entry.resource as R);
    }
    return this.#acquire(sessionId, key, options?.owner).then((found) => found.resource as R);
  }

  /**
   * Runs `fn` with the resource for `(sessionId, key)` (see {@link SessionResources.get}) and
   * records the outcome: a return is a success (resets the failure count), a throw is a failure
   * (and is rethrown unchanged). The resource does not idle out while `fn` runs.
   */
  async use<T>(
    sessionId: string,
    key: string,
    fn: (resource: R) => T | Promise<T>,
    options?: ResolveOptions,
  ): Promise<T> {
    if (typeof fn !== 'function') {
      throw new SessionError('INVALID_ARGUMENT', 'use() expects a function as its third argument.');
    }
    const entry = await this.#acquire(sessionId, key, options?.owner);
    entry.uses++;
    this.#inUse++;
    this.#idle.remove(entry);
    try {
      const result = await fn(entry.resource as R);
      entry.failures = 0;
      return result;
    } catch (error) {
      this.#failed(entry, error);
      throw error;
    } finally {
      this.#inUse--;
      if (--entry.uses === 0 && entry.state === 'ready') this.#touch(entry);
    }
  }

  /**
   * Records a failure of the resource held for `(sessionId, key)`. At `maxFailures` consecutive
   * failures the resource is evicted and closed in the background (reason `failures`; the next
   * get creates a new one). Never throws.
   *
   * @returns the consecutive failure count including this one; `0` when no resource is held.
   */
  recordFailure(sessionId: string, key: string, error?: unknown): number {
    const entry = this.#groups.get(sessionId)?.entries.get(key);
    return entry === undefined ? 0 : this.#failed(entry, error);
  }

  /**
   * Records a success of the resource held for `(sessionId, key)`: its consecutive failure count
   * goes back to 0. Answers whether a resource is held.
   */
  recordSuccess(sessionId: string, key: string): boolean {
    const entry = this.#groups.get(sessionId)?.entries.get(key);
    if (entry === undefined || entry.state !== 'ready') return false;
    entry.failures = 0;
    return true;
  }

  /** True when a resource is held (created and not closing) for `(sessionId, key)`. */
  has(sessionId: string, key: string): boolean {
    return this.#groups.get(sessionId)?.entries.get(key)?.state === 'ready';
  }

  /** How many resources are held for `sessionId`, or in all when it is omitted. */
  count(sessionId?: string): number {
    if (sessionId === undefined) return this.#resources;
    const group = this.#groups.get(sessionId);
    if (group === undefined) return 0;
    let count = 0;
    for (const entry of group.entries.values()) if (entry.state === 'ready') count++;
    return count;
  }

  /**
   * Closes the resource held for `(sessionId, key)` (reason `deleted`) and waits for it. A
   * creation in flight is abandoned: its getters get `ResourceError('DELETED')` and the late
   * resource is closed when it arrives. Answers whether there was anything to delete.
   */
  async delete(sessionId: string, key: string): Promise<boolean> {
    const entry = this.#groups.get(sessionId)?.entries.get(key);
    if (entry === undefined) return false;
    if (entry.state === 'creating') this.#doom(entry, 'deleted');
    else await this.#close(entry, 'deleted');
    return true;
  }

  /** Counts of held resources and totals since the pool started. */
  stats(): ResourceStats {
    return {
      sessions: this.#groups.size,
      resources: this.#resources,
      creating: this.#creating,
      inUse: this.#inUse,
      created: this.#created,
      createFailures: this.#createFailures,
      failures: this.#failures,
      closed: { ...this.#closedBy },
      closeFailures: this.#closeFailures,
      evicted: this.#evicted,
    };
  }

  /**
   * Closes every resource unused for `idleTimeoutMs` or longer (reason `idle`) and waits for
   * the closes. Cost is proportional to what it closes. Answers how many it closed.
   */
  async sweep(): Promise<number> {
    const idleTimeoutMs = this.#options.idleTimeoutMs;
    if (idleTimeoutMs === 0) return 0;
    const deadline = this.#clock.now() - idleTimeoutMs;
    const closes: Promise<void>[] = [];
    for (let entry = this.#idle.oldest; entry !== undefined; entry = this.#idle.oldest) {
      if (entry.idleSince > deadline) break;
      closes.push(this.#close(entry, 'idle'));
    }
    await Promise.all(closes);
    return closes.length;
  }

  /** Starts the idle sweeper (an `unref()`'d interval; none when `idleTimeoutMs` is 0). Idempotent. */
  start(): void {
    this.#assertOpen();
    if (this.#options.idleTimeoutMs !== 0) this.#sweeper.start();
  }

  /** Stops the idle sweeper; resources stay as they are. Idempotent. */
  stop(): void {
    this.#sweeper.stop();
  }

  /**
   * Stops the sweeper, closes every resource (reason `shutdown`) and waits for the closes;
   * creations in flight are abandoned (getters get `ResourceError('CLOSED')`) and their late
   * resources closed, waiting for them at most `closeTimeoutMs`. Sessions are left as they are.
   * Later gets reject with `CLOSED`. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.stop();
    for (const group of [...this.#groups.values()]) {
      this.#groups.delete(group.sessionId);
      group.unsubscribe();
      for (const entry of [...group.entries.values()]) {
        if (entry.state === 'creating') this.#doom(entry, 'shutdown');
        else void this.#close(entry, 'shutdown');
      }
    }
    try {
      await withTimeout(
        async () => {
          // Late resources of abandoned creations start closing when they arrive.
          while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
        },
        this.#options.closeTimeoutMs,
        () =>
          new ResourceError(
            'CLOSE_TIMEOUT',
            `SessionResources.close(): resources still creating or closing after ${this.#options.closeTimeoutMs} ms.`,
            {},
          ),
      );
    } catch (error) {
      this.#report({ phase: 'close', error });
    }
  }

  /** The slow path of a get: create, or wait for a creation, checking the session and owner. */
  async #acquire(sessionId: string, key: string, owner: string | undefined): Promise<Entry<R>> {
    for (let attempt = 1; ; attempt++) {
      this.#assertOpen(sessionId, key);
      const group = this.#groups.get(sessionId);
      let entry = group?.entries.get(key);
      if (entry === undefined) {
        assertValidSessionId(sessionId);
        checkKey(key);
        if (group?.confirmed && group.owner !== owner) throw notFound(sessionId, key);
        entry = this.#startCreation(group ?? this.#openGroup(sessionId), key, owner);
      }
      if (entry.state === 'creating') {
        try {
          await entry.creation;
        } catch (error) {
          // The creator's owner may have been refused where this caller's would not be.
          const retry = entry.creator !== owner && isResourceError(error, 'SESSION_NOT_FOUND');
          if (retry && attempt < MAX_ATTEMPTS) continue;
          throw error;
        }
      }
      if (entry.group.owner !== owner) throw notFound(sessionId, key);
      if (entry.state === 'ready') {
        this.#touch(entry);
        return entry;
      }
      // Closed between its creation and this caller's turn: start over.
      if (attempt >= MAX_ATTEMPTS) throw this.#abandoned(entry, entry.closeReason!);
    }
  }

  #openGroup(sessionId: string): Group<R> {
    const group: Group<R> = {
      sessionId,
      entries: new Map(),
      owner: undefined,
      confirmed: false,
      endReason: undefined,
      unsubscribe: noop,
    };
    // Subscribed before the session is resolved, so an end right after the check is seen.
    group.unsubscribe = this.#manager.onEnd(sessionId, (info) =>
      this.#sessionEnded(group, info.reason),
    );
    this.#groups.set(sessionId, group);
    return group;
  }

  #startCreation(group: Group<R>, key: string, owner: string | undefined): Entry<R> {
    const entry: Entry<R> = {
      group,
      key,
      creator: owner,
      state: 'creating',
      resource: undefined,
      closer: undefined,
      creation: undefined,
      abandon: undefined,
      controller: undefined,
      doomed: undefined,
      closeReason: undefined,
      failures: 0,
      lastError: undefined,
      uses: 0,
      idlePrev: undefined,
      idleNext: undefined,
      idleSince: 0,
      idleLinked: false,
    };
    group.entries.set(key, entry);
    this.#creating++;
    const work = this.#create(entry, owner);
    entry.creation = new Promise<R>((resolve, reject) => {
      entry.abandon = reject;
      work.then(resolve, reject);
    });
    const settled = work.then(noop, noop);
    this.#pending.add(settled);
    void settled.then(() => this.#pending.delete(settled));
    return entry;
  }

  async #create(entry: Entry<R>, owner: string | undefined): Promise<R> {
    const { group, key } = entry;
    const { sessionId } = group;
    let resource: R;
    try {
      if (!group.confirmed) {
        const resolution = await this.#manager.resolve(sessionId, { owner });
        if (resolution.status !== 'active') throw this.#inactive(resolution, sessionId, key);
        group.owner = resolution.session.owner;
        group.confirmed = true;
      }
      if (entry.doomed !== undefined) throw this.#abandoned(entry, entry.doomed);
      try {
        resource = await this.#options.create(this.#contextOf(entry));
      } catch (error) {
        if (entry.doomed !== undefined) throw this.#abandoned(entry, entry.doomed);
        this.#createFailures++;
        throw new ResourceError(
          'CREATE_FAILED',
          `Creating resource "${key}" for session ${maskSessionId(sessionId)} failed: ${errorMessage(error)}`,
          { sessionId, key, cause: error },
        );
      }
    } catch (error) {
      this.#creating--;
      this.#forget(entry);
      throw error;
    }
    this.#creating--;
    const closer = this.#closerFor(entry, resource);
    if (closer === undefined) {
      this.#createFailures++;
      this.#forget(entry);
      throw new ResourceError(
        'INVALID_RESOURCE',
        `The resource created for "${key}" has no close(), dispose(), Symbol.asyncDispose or Symbol.dispose; pass a \`close\` option.`,
        { sessionId, key },
      );
    }
    entry.resource = resource;
    entry.closer = closer;
    entry.controller = undefined;
    entry.state = 'ready';
    this.#resources++;
    this.#created++;
    this.#emit('created', { sessionId, key });
    if (entry.doomed !== undefined) {
      const reason = entry.doomed;
      void this.#close(entry, reason);
      throw this.#abandoned(entry, reason);
    }
    this.#touch(entry);
    return resource;
  }

  /** The factory's context; its `signal` is made on first read (an AbortController is costly). */
  #contextOf(entry: Entry<R>): ResourceContext {
    const { group, key } = entry;
    const abandoned = (reason: ResourceCloseReason) => this.#abandoned(entry, reason);
    return {
      sessionId: group.sessionId,
      key,
      owner: group.owner,
      get signal() {
        if (entry.controller === undefined) {
          entry.controller = new AbortController();
          if (entry.doomed !== undefined) entry.controller.abort(abandoned(entry.doomed));
        }
        return entry.controller.signal;
      },
    };
  }

  #closerFor(entry: Entry<R>, resource: R): Closer | undefined {
    const close = this.#options.close;
    if (close === undefined) return findCloser(resource);
    const { group, key } = entry;
    return () => close(resource, { sessionId: group.sessionId, key, reason: entry.closeReason! });
  }

  #sessionEnded(group: Group<R>, reason: EndReason): Promise<unknown> {
    group.endReason = reason;
    if (this.#groups.get(group.sessionId) === group) this.#groups.delete(group.sessionId);
    const closes: Promise<void>[] = [];
    for (const entry of [...group.entries.values()]) {
      // Before the session was confirmed, the pending resolution answers the getters.
      if (entry.state === 'creating') this.#doom(entry, 'session-ended', group.confirmed);
      else closes.push(this.#close(entry, 'session-ended'));
    }
    return Promise.all(closes);
  }

  /**
   * A creation in flight is no longer wanted: its getters are refused now, the factory's signal
   * aborts, and the resource is closed when it arrives.
   */
  #doom(entry: Entry<R>, reason: ResourceCloseReason, refuseNow = true): void {
    if (entry.doomed !== undefined) return;
    entry.doomed = reason;
    this.#forget(entry);
    const error = this.#abandoned(entry, reason);
    entry.controller?.abort(error);
    if (refuseNow) entry.abandon?.(error);
  }

  /** Closes a held resource exactly once; later calls answer the same close. */
  #close(entry: Entry<R>, reason: ResourceCloseReason): Promise<void> {
    if (entry.state !== 'ready') return Promise.resolve();
    entry.state = 'closing';
    entry.closeReason = reason;
    this.#resources--;
    this.#closedBy[reason]++;
    if (reason === 'failures') this.#evicted++;
    this.#idle.remove(entry);
    this.#forget(entry);
    const closing = this.#runClose(entry, reason);
    this.#pending.add(closing);
    void closing.then(() => this.#pending.delete(closing));
    return closing;
  }

  async #runClose(entry: Entry<R>, reason: ResourceCloseReason): Promise<void> {
    const { group, key } = entry;
    const { sessionId } = group;
    const timeoutMs = this.#options.closeTimeoutMs;
    try {
      await withTimeout(
        entry.closer!,
        timeoutMs,
        () =>
          new ResourceError(
            'CLOSE_TIMEOUT',
            `Closing resource "${key}" of session ${maskSessionId(sessionId)} did not finish within ${timeoutMs} ms.`,
            { sessionId, key },
          ),
      );
    } catch (error) {
      this.#closeFailures++;
      const failure = isResourceError(error)
        ? error
        : new ResourceError(
            'CLOSE_FAILED',
            `Closing resource "${key}" of session ${maskSessionId(sessionId)} failed: ${errorMessage(error)}`,
            { sessionId, key, cause: error },
          );
      this.#report({ phase: 'close', error: failure, sessionId, key });
    }
    entry.resource = undefined;
    this.#emit(
      'closed',
      reason === 'failures'
        ? { sessionId, key, reason, error: entry.lastError }
        : { sessionId, key, reason },
    );
  }

  #failed(entry: Entry<R>, error: unknown): number {
    if (entry.state !== 'ready') return 0;
    this.#failures++;
    entry.lastError = error;
    const failures = ++entry.failures;
    if (failures >= this.#options.maxFailures) void this.#close(entry, 'failures');
    return failures;
  }

  #touch(entry: Entry<R>): void {
    if (entry.uses === 0 && this.#options.idleTimeoutMs !== 0) {
      this.#idle.touch(entry, this.#clock.now());
    }
  }

  /** Removes the entry from its session's map; drops a session left with nothing. */
  #forget(entry: Entry<R>): void {
    const group = entry.group;
    if (group.entries.get(entry.key) === entry) group.entries.delete(entry.key);
    if (group.entries.size === 0 && group.endReason === undefined) {
      if (this.#groups.get(group.sessionId) === group) this.#groups.delete(group.sessionId);
      group.unsubscribe();
    }
  }

  #inactive(resolution: Resolution, sessionId: string, key: string): ResourceError {
    if (resolution.status !== 'ended') return notFound(sessionId, key);
    const reason = resolution.tombstone.reason;
    return new ResourceError(
      'SESSION_ENDED',
      `Session ${maskSessionId(sessionId)} has ended (${reason}); no resource "${key}" for it.`,
      { sessionId, key, reason },
    );
  }

  #abandoned(entry: Entry<R>, reason: ResourceCloseReason): ResourceError {
    const { group, key } = entry;
    const { sessionId } = group;
    switch (reason) {
      case 'shutdown':
        return closedError(sessionId, key);
      case 'session-ended':
        return new ResourceError(
          'SESSION_ENDED',
          `Session ${maskSessionId(sessionId)} ended while resource "${key}" was being created.`,
          { sessionId, key, reason: group.endReason },
        );
      default:
        return new ResourceError(
          'DELETED',
          `Resource "${key}" of session ${maskSessionId(sessionId)} was closed (${reason}) before it could be handed out.`,
          { sessionId, key },
        );
    }
  }

  #emit<K extends 'created' | 'closed'>(event: K, arg: Parameters<ResourceEvents[K]>[0]): void {
    const errors = this.#events.emit(event, arg);
    if (errors === undefined) return;
    for (const error of errors) {
      this.#report({ phase: 'listener', error, sessionId: arg.sessionId, key: arg.key });
    }
  }

  #report(failure: ResourceFailure): void {
    reportFailure(
      this.#events,
      this.#options.logger,
      'mcp-sessions: contained resource failure',
      failure,
    );
  }

  #assertOpen(sessionId?: string, key?: string): void {
    if (this.#closing !== undefined) throw closedError(sessionId, key);
  }
}

function checkKey(key: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid resource key: expected a string of 1 to ${MAX_KEY_CHARS} characters.`,
    );
  }
}

function notFound(sessionId: string, key: string): ResourceError {
  return new ResourceError(
    'SESSION_NOT_FOUND',
    `Session ${maskSessionId(sessionId)} is not active for this caller; no resource "${key}" for it.`,
    { sessionId, key },
  );
}

function closedError(sessionId: string | undefined, key: string | undefined): ResourceError {
  return new ResourceError('CLOSED', 'The resource pool is closed.', { sessionId, key });
}
