import type { Clock } from '../core/clock.js';
import { SessionError } from '../core/errors.js';
import { TypedEvents } from '../core/events.js';
import { logFailure, reportFailure } from '../core/failures.js';
import { assertValidSessionId } from '../core/session-id.js';
import { type ResolveOptions, SessionManager } from '../core/session-manager.js';
import { PeriodicJob, withTimeout } from '../core/timers.js';
import type { EndReason } from '../core/types.js';
import { closeEntry, doomEntry } from './closing.js';
import { startCreation } from './creation.js';
import { type Entry, type Group, newGroup } from './entry.js';
import { isResourceError, ResourceError } from './errors.js';
import {
  type ResolvedResourceOptions,
  resolveResourceOptions,
  type SessionResourcesOptions,
} from './options.js';
import type { PoolContext } from './pool-context.js';
import { PoolState } from './pool-state.js';
import { abandonedError, checkKey, closedError, notFound } from './refusals.js';
import type { ResourceEvents, ResourceFailure, ResourceStats } from './types.js';

const FAILURE_MESSAGE = 'mcp-sessions: contained resource failure';
/** How many times a get starts over when the entry it waited for went away meanwhile. */
const MAX_ATTEMPTS = 3;

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
  readonly #events = new TypedEvents<ResourceEvents>((event, error, arg) =>
    this.#listenerRejected(event, error, arg),
  );
  readonly #state: PoolState<R>;
  readonly #context: PoolContext<R>;
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
    this.#state = new PoolState(this.#clock, this.#options.idleTimeoutMs);
    this.#context = {
      manager,
      options: this.#options,
      state: this.#state,
      emitCreated: (info) => this.#emit('created', info),
      emitClosed: (info) => this.#emit('closed', info),
      report: (failure) => this.#report(failure),
    };
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
    const entry = this.#state.find(sessionId, key);
    if (entry !== undefined && entry.state === 'ready' && entry.group.owner === options?.owner) {
      this.#state.touch(entry);
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
    this.#state.inUse++;
    this.#state.idle.remove(entry);
    try {
      const result = await fn(entry.resource as R);
      entry.failures = 0;
      return result;
    } catch (error) {
      this.#failed(entry, error);
      throw error;
    } finally {
      this.#state.inUse--;
      if (--entry.uses === 0 && entry.state === 'ready') this.#state.touch(entry);
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
    const entry = this.#state.find(sessionId, key);
    return entry === undefined ? 0 : this.#failed(entry, error);
  }

  /**
   * Records a success of the resource held for `(sessionId, key)`: its consecutive failure count
   * goes back to 0. Answers whether a resource is held.
   */
  recordSuccess(sessionId: string, key: string): boolean {
    const entry = this.#state.find(sessionId, key);
    if (entry === undefined || entry.state !== 'ready') return false;
    entry.failures = 0;
    return true;
  }

  /** True when a resource is held (created and not closing) for `(sessionId, key)`. */
  has(sessionId: string, key: string): boolean {
    return this.#state.find(sessionId, key)?.state === 'ready';
  }

  /** How many resources are held for `sessionId`, or in all when it is omitted. */
  count(sessionId?: string): number {
    if (sessionId === undefined) return this.#state.resources;
    const group = this.#state.groups.get(sessionId);
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
    const entry = this.#state.find(sessionId, key);
    if (entry === undefined) return false;
    if (entry.state === 'creating') doomEntry(this.#context, entry, 'deleted');
    else await closeEntry(this.#context, entry, 'deleted');
    return true;
  }

  /** Counts of held resources and totals since the pool started. */
  stats(): ResourceStats {
    return this.#state.stats();
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
    for (
      let entry = this.#state.idle.oldest;
      entry !== undefined;
      entry = this.#state.idle.oldest
    ) {
      if (entry.idleSince > deadline) break;
      closes.push(closeEntry(this.#context, entry, 'idle'));
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
    for (const group of [...this.#state.groups.values()]) {
      this.#state.groups.delete(group.sessionId);
      group.unsubscribe();
      for (const entry of [...group.entries.values()]) {
        if (entry.state === 'creating') doomEntry(this.#context, entry, 'shutdown');
        else void closeEntry(this.#context, entry, 'shutdown');
      }
    }
    try {
      await withTimeout(
        // Late resources of abandoned creations start closing when they arrive.
        () => this.#state.drain(),
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
      const group = this.#state.groups.get(sessionId);
      let entry = group?.entries.get(key);
      if (entry === undefined) {
        assertValidSessionId(sessionId);
        checkKey(key);
        if (group?.confirmed && group.owner !== owner) throw notFound(sessionId, key);
        entry = startCreation(this.#context, group ?? this.#openGroup(sessionId), key, owner);
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
        this.#state.touch(entry);
        return entry;
      }
      // Closed between its creation and this caller's turn: start over.
      if (attempt >= MAX_ATTEMPTS) throw abandonedError(entry, entry.closeReason!);
    }
  }

  #openGroup(sessionId: string): Group<R> {
    const group = newGroup<R>(sessionId);
    // Subscribed before the session is resolved, so an end right after the check is seen.
    group.unsubscribe = this.#manager.onEnd(sessionId, (info) =>
      this.#sessionEnded(group, info.reason),
    );
    this.#state.groups.set(sessionId, group);
    return group;
  }

  #sessionEnded(group: Group<R>, reason: EndReason): Promise<unknown> {
    group.endReason = reason;
    if (this.#state.groups.get(group.sessionId) === group)
      this.#state.groups.delete(group.sessionId);
    const closes: Promise<void>[] = [];
    for (const entry of [...group.entries.values()]) {
      // Before the session was confirmed, the pending resolution answers the getters.
      if (entry.state === 'creating')
        doomEntry(this.#context, entry, 'session-ended', group.confirmed);
      else closes.push(closeEntry(this.#context, entry, 'session-ended'));
    }
    return Promise.all(closes);
  }

  #failed(entry: Entry<R>, error: unknown): number {
    if (entry.state !== 'ready') return 0;
    this.#state.failures++;
    entry.lastError = error;
    const failures = ++entry.failures;
    if (failures >= this.#options.maxFailures) void closeEntry(this.#context, entry, 'failures');
    return failures;
  }

  #emit<K extends 'created' | 'closed'>(event: K, arg: Parameters<ResourceEvents[K]>[0]): void {
    const errors = this.#events.emit(event, arg);
    if (errors === undefined) return;
    for (const error of errors) {
      this.#report({ phase: 'listener', error, sessionId: arg.sessionId, key: arg.key });
    }
  }

  /**
   * An async listener's promise rejected: reported like a listener that threw. A rejecting
   * `error` listener is only logged, so that it cannot feed itself.
   */
  #listenerRejected(event: keyof ResourceEvents, error: unknown, arg: unknown): void {
    const { sessionId, key } = arg as { sessionId?: string; key?: string };
    const failure: ResourceFailure = { phase: 'listener', error, sessionId, key };
    if (event === 'error') logFailure(this.#options.logger, FAILURE_MESSAGE, failure);
    else this.#report(failure);
  }

  #report(failure: ResourceFailure): void {
    reportFailure(this.#events, this.#options.logger, FAILURE_MESSAGE, failure);
  }

  #assertOpen(sessionId?: string, key?: string): void {
    if (this.#closing !== undefined) throw closedError(sessionId, key);
  }
}
