import { MemoryStore } from '../stores/memory-store.js';
import { type Clock, systemClock } from './clock.js';
import { SessionError, toStoreError } from './errors.js';
import {
  type SessionEndInfo,
  type SessionEvents,
  type SessionFailurePhase,
  TypedEvents,
} from './events.js';
import { reportFailure } from './failures.js';
import { type Logger, maskSessionId } from './logger.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { copySessionRecord, visibleTo } from './record.js';
import { assertValidSessionId, generateSessionId, isValidSessionId } from './session-id.js';
import type { EndResult, SessionStore, StoreLookup, StorePolicy } from './store.js';
import { PeriodicJob, withTimeout } from './timers.js';
import {
  type ActiveResolution,
  END_REASONS,
  type EndReason,
  type JsonValue,
  type Resolution,
  type SessionRecord,
  UNKNOWN,
} from './types.js';

/** The largest `data` or `init` accepted, as JSON text. */
const MAX_JSON_CHARS = 64 * 1024;
/** How often, at most, an attachment to a shared store is checked for an end seen elsewhere. */
const VERIFY_PERIOD_MS = 60_000;
/** The longest `owner` or `kind` accepted. */
const MAX_LABEL_CHARS = 1024;

/** What to create; every field is optional. */
export interface CreateSessionOptions {
  /** Use this ID instead of generating one (see {@link SessionManager.register}). */
  id?: string;
  /** Bind the session to this principal: only the same owner resolves it. */
  owner?: string | undefined;
  /** Which transport the session belongs to (`'streamable-http'`, `'sse'`, ...). */
  kind?: string | undefined;
  /** Small application data (JSON, at most 64 KiB as text). */
  data?: JsonValue | undefined;
  /** The `initialize` request, kept so another replica can restore the session (JSON, 64 KiB). */
  init?: JsonValue | undefined;
}

/** Per-call options of lookups. */
export interface ResolveOptions {
  /** The caller's principal; a session of another owner answers `unknown`. */
  owner?: string | undefined;
}

/** An acquired session: call `release()` exactly when the request or stream finishes. */
export interface Lease extends ActiveResolution {
  /** Unpins the session; the idle clock restarts from now. Idempotent; never rejects. */
  release(): Promise<void>;
}

/** The answer of {@link SessionManager.acquire}: a lease, or why there is none. */
export type Acquisition = Lease | Exclude<Resolution, ActiveResolution>;

/** A per-session cleanup, run on this replica when the session ends for any reason. */
export type EndHook = (info: SessionEndInfo) => unknown;

/** Counters and gauges of {@link SessionManager.stats}. */
export interface SessionStats {
  /** Live sessions in the store (fleet-wide for a shared store). */
  readonly live: number;
  /** Tombstones in the store. */
  readonly tombstones: number;
  /** Sessions pinned by open requests or streams on this replica. */
  readonly pinned: number;
  /** Sessions with end hooks or pins on this replica. */
  readonly attached: number;
  /** Sessions created through this manager. */
  readonly created: number;
  /** Sessions ended by this manager, by reason. */
  readonly ended: Readonly<Record<EndReason, number>>;
}

/** What this replica holds for one session: its end hooks and pins. */
interface Attachment {
  hooks: EndHook[] | undefined;
  pins: number;
  /** When this replica last wrote a touch for the session. */
  lastWriteAt: number;
  /** When the sweep should next check that the session still lives in the store. */
  verifyAt: number;
}

/**
 * Sessions with an idle TTL, pinning, tombstones, owner binding and capacity limits, over a
 * pluggable {@link SessionStore}.
 *
 * Every method that takes an ID validates it (`SessionError('INVALID_SESSION_ID')`); store
 * failures reject with `SessionError('STORE_UNAVAILABLE')` and change nothing; unknown IDs
 * answer typed results, never errors.
 *
 * @example
 * ```ts
 * const sessions = new SessionManager({ idleTtlMs: 10 * 60_000 });
 * const { id } = await sessions.create({ owner: 'user-1' });
 * const lease = await sessions.acquire(id, { owner: 'user-1' });
 * if (lease.status === 'active') {
 *   try { ... } finally { await lease.release(); }
 * }
 * ```
 */
export class SessionManager {
  readonly #store: SessionStore;
  readonly #ownsStore: boolean;
  readonly #options: ResolvedOptions;
  readonly #policy: StorePolicy;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #generateId: () => string;
  readonly #events = new TypedEvents<SessionEvents>();
  readonly #attached = new Map<string, Attachment>();
  readonly #pinned = new Set<string>();
  readonly #ended: Record<EndReason, number> = {
    idle: 0,
    lifetime: 0,
    deleted: 0,
    closed: 0,
    evicted: 0,
    shutdown: 0,
  };
  #created = 0;
  readonly #sweeper: PeriodicJob;
  #sweeping: Promise<number> | undefined;
  #closing: Promise<void> | undefined;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and the accepted range. */
  constructor(options: SessionManagerOptions = {}) {
    this.#options = resolveOptions(options);
    this.#ownsStore = this.#options.store === undefined;
    this.#store = this.#options.store ?? new MemoryStore();
    this.#policy = this.#options.policy;
    this.#clock = this.#options.clock ?? systemClock;
    this.#logger = this.#options.logger;
    this.#generateId = this.#options.generateId ?? generateSessionId;
    this.#sweeper = new PeriodicJob(() => {
      this.sweep().catch((error: unknown) => this.#report('sweep', error));
    }, this.#options.sweepIntervalMs);
    if (this.#options.autoStart) this.start();
  }

  /** The store this manager uses. */
  get store(): SessionStore {
    return this.#store;
  }

  /** The TTLs and limits in force (frozen). */
  get policy(): StorePolicy {
    return this.#policy;
  }

  /** The clock in force. */
  get clock(): Clock {
    return this.#clock;
  }

  /** True once {@link SessionManager.close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Subscribes to an event; answers a function that unsubscribes. */
  on<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /** Unsubscribes a listener added with {@link SessionManager.on}. */
  off<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): void {
    this.#events.off(event, listener);
  }

  /**
   * Creates a session with a generated ID (or `options.id`).
   *
   * @throws SessionError `CAPACITY` at `maxSessions` (after trying to evict, with
   * `capacityPolicy: 'evict-oldest'`), `SESSION_EXISTS`, `INVALID_SESSION_ID`,
   * `INVALID_ARGUMENT` (owner, kind, data or init malformed), `STORE_UNAVAILABLE`, `CLOSED`.
   */
  async create(options: CreateSessionOptions = {}): Promise<SessionRecord> {
    this.#assertOpen();
    const id = options.id ?? this.#newId();
    assertValidSessionId(id);
    checkLabel('owner', options.owner);
    checkLabel('kind', options.kind);
    checkJson('data', options.data);
    checkJson('init', options.init);
    const session = {
      id,
      owner: options.owner,
      kind: options.kind,
      data: options.data,
      init: options.init,
      createdAt: this.#clock.now(),
    };
    let result = await this.#call('create', () => this.#store.create(session, this.#policy));
    if (
      result === 'full' &&
      this.#options.capacityPolicy === 'evict-oldest' &&
      (await this.#evictOne())
    ) {
      result = await this.#call('create', () => this.#store.create(session, this.#policy));
    }
    if (result === 'exists') {
      throw new SessionError(
        'SESSION_EXISTS',
        `Session ID ${maskSessionId(id)} is already in use.`,
      );
    }
    if (result === 'full') {
      throw new SessionError(
        'CAPACITY',
        `Session capacity reached (maxSessions = ${this.#policy.maxSessions}); try again later.`,
      );
    }
    this.#created++;
    const record: SessionRecord = { ...session, lastSeenAt: session.createdAt };
    this.#emit('created', record);
    return record;
  }

  /**
   * Registers a session whose ID was generated elsewhere (for example by the SDK's
   * `sessionIdGenerator`). Same failures as {@link SessionManager.create}.
   */
  async register(
    id: string,
    options: Omit<CreateSessionOptions, 'id'> = {},
  ): Promise<SessionRecord> {
    assertValidSessionId(id);
    return this.create({ ...options, id });
  }

  /**
   * Answers whether a session is active, ended (with its tombstone) or unknown, without
   * touching it. Another owner's session answers `unknown`, exactly like a never-seen ID.
   * A session past its deadline is ended on the spot.
   */
  async resolve(id: string, options?: ResolveOptions): Promise<Resolution> {
    this.#assertOpen();
    assertValidSessionId(id);
    let lookup: StoreLookup;
    try {
      lookup = await this.#store.get(id, this.#clock.now(), this.#policy);
    } catch (error) {
      throw toStoreError(error, 'resolve');
    }
    if (lookup.status === 'active') return visibleTo(lookup.session, options?.owner);
    return this.#settle(id, lookup, options?.owner);
  }

  /** Like {@link SessionManager.resolve}, and restarts the idle clock of an active session. */
  async touch(id: string, options?: ResolveOptions): Promise<Resolution> {
    this.#assertOpen();
    assertValidSessionId(id);
    const now = this.#clock.now();
    let lookup: StoreLookup;
    try {
      lookup = await this.#store.touch(id, now, this.#policy);
    } catch (error) {
      throw toStoreError(error, 'touch');
    }
    if (lookup.status === 'active') {
      if (this.#attached.size > 0) {
        const attachment = this.#attached.get(id);
        if (attachment !== undefined) this.#wrote(attachment, now);
      }
      return visibleTo(lookup.session, options?.owner);
    }
    return this.#settle(id, lookup, options?.owner);
  }

  /**
   * Touches and pins a session for the length of a request or an open stream: a pinned session
   * never idle-expires (its maximum lifetime still applies). Call `release()` when done; the idle
   * clock restarts at the last release. Not active: answers the resolution, nothing pinned.
   */
  async acquire(id: string, options?: ResolveOptions): Promise<Acquisition> {
    const resolution = await this.touch(id, options);
    if (resolution.status !== 'active') return resolution;
    const attachment = this.#attach(id);
    if (attachment.pins++ === 0) this.#pinned.add(id);
    let released = false;
    return {
      status: 'active',
      session: resolution.session,
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        return this.#release(id, attachment);
      },
    };
  }

  /**
   * Ends a session: writes its tombstone, runs its end hooks on this replica (awaited; one
   * failing hook does not stop the others), then emits `ended`. Idempotent: answers `true` only
   * to the call that ended it.
   *
   * @param reason @default 'closed'
   * @throws SessionError `INVALID_ARGUMENT` for an unknown reason, `STORE_UNAVAILABLE`, `CLOSED`.
   */
  async end(id: string, reason: EndReason = 'closed'): Promise<boolean> {
    this.#assertOpen();
    assertValidSessionId(id);
    if (!END_REASONS.includes(reason)) {
      throw new SessionError(
        'INVALID_ARGUMENT',
        `Invalid end reason ${JSON.stringify(reason)}; expected one of ${END_REASONS.join(', ')}.`,
      );
    }
    return this.#end(id, reason);
  }

  /**
   * Attaches a cleanup to a session on this replica (close its transport, its server, ...). It
   * runs once when the session ends for any reason, including `close()`. If the session has
   * already ended, it runs at the next sweep. Answers a function that detaches it.
   *
   * @throws SessionError `INVALID_SESSION_ID`, `INVALID_ARGUMENT` (not a function), `CLOSED`.
   */
  onEnd(id: string, hook: EndHook): () => void {
    this.#assertOpen();
    assertValidSessionId(id);
    if (typeof hook !== 'function') {
      throw new SessionError('INVALID_ARGUMENT', 'onEnd expects a function as its hook.');
    }
    const attachment = this.#attach(id);
    attachment.verifyAt = this.#clock.now();
    attachment.hooks ??= [];
    attachment.hooks.push(hook);
    return () => {
      const hooks = attachment.hooks;
      const index = hooks?.indexOf(hook) ?? -1;
      if (index >= 0) hooks!.splice(index, 1);
      this.#detachIfIdle(id, attachment);
    };
  }

  /** Every live session (a copy; for a shared store this walks the whole store). */
  async list(): Promise<SessionRecord[]> {
    const records: SessionRecord[] = [];
    try {
      for await (const record of this.#store.list(this.#policy))
        records.push(copySessionRecord(record));
    } catch (error) {
      throw toStoreError(error, 'list');
    }
    return records;
  }

  /** How many live sessions the store holds. */
  async count(): Promise<number> {
    const counts = await this.#call('count', () =>
      this.#store.count(this.#clock.now(), this.#policy),
    );
    return counts.sessions;
  }

  /** Live, pinned and tombstoned counts, plus created and ended totals of this manager. */
  async stats(): Promise<SessionStats> {
    const counts = await this.#call('stats', () =>
      this.#store.count(this.#clock.now(), this.#policy),
    );
    return {
      live: counts.sessions,
      tombstones: counts.tombstones,
      pinned: this.#pinned.size,
      attached: this.#attached.size,
      created: this.#created,
      ended: { ...this.#ended },
    };
  }

  /** Ends every live session with `reason` (default `closed`); answers how many this call ended. */
  async endAll(reason: EndReason = 'closed'): Promise<number> {
    let count = 0;
    for (const record of await this.list()) if (await this.end(record.id, reason)) count++;
    return count;
  }

  /**
   * Runs one sweep now: renews this replica's pinned sessions, ends every expired session
   * (reason `idle` or `lifetime`), and runs hooks of sessions that ended elsewhere. Answers how
   * many sessions it ended. Concurrent calls share one run.
   *
   * @throws SessionError `STORE_UNAVAILABLE` (the timer reports it as an `error` event instead).
   */
  sweep(): Promise<number> {
    this.#assertOpen();
    if (this.#sweeping === undefined) {
      this.#sweeping = this.#sweep().finally(() => {
        this.#sweeping = undefined;
      });
    }
    return this.#sweeping;
  }

  /** Starts the sweeper (an `unref()`'d interval). Idempotent. */
  start(): void {
    this.#assertOpen();
    this.#sweeper.start();
  }

  /** Stops the sweeper; sessions stay as they are. Idempotent. */
  stop(): void {
    this.#sweeper.stop();
  }

  /** True while the sweeper runs. */
  get running(): boolean {
    return this.#sweeper.running;
  }

  /**
   * Stops the sweeper and ends every session held here with reason `shutdown`, running end
   * hooks. With a shared store the sessions themselves stay in the store for other replicas;
   * only this replica's hooks run. Closes the store only if the manager made it. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.stop();
    await this.#sweeping?.catch(() => undefined);
    const now = this.#clock.now();
    const finals: Promise<void>[] = [];
    for (const id of [...this.#attached.keys()]) {
      finals.push(
        this.#store.shared
          ? this.#runHooks(id, { id, reason: 'shutdown', endedAt: now })
          : this.#end(id, 'shutdown').then(() => undefined),
      );
    }
    await Promise.allSettled(finals);
    if (!this.#store.shared) {
      try {
        for await (const record of this.#store.list(this.#policy))
          await this.#end(record.id, 'shutdown');
      } catch (error) {
        this.#report('sweep', error);
      }
    }
    if (this.#ownsStore) await this.#store.close();
  }

  async #sweep(): Promise<number> {
    const now = this.#clock.now();
    let total = await this.#renewPinned(now);
    const limit = this.#options.sweepBatchSize;
    for (;;) {
      const batch = await this.#call('sweep', () =>
        this.#store.claimExpired(now, limit, this.#policy),
      );
      total += batch.length;
      if (batch.length > 0) {
        await Promise.all(
          batch.map((claimed) => {
            const { session, tombstone } = claimed;
            return this.#finish(session.id, tombstone.reason, tombstone.endedAt, session);
          }),
        );
      }
      if (batch.length < limit || this.closed) break;
    }
    await this.#verifyAttached(now);
    return total;
  }

  /** Pinned sessions are leases: renew those whose store deadline is half spent. */
  async #renewPinned(now: number): Promise<number> {
    const ttl = this.#policy.idleTtlMs;
    if (ttl === 0 || this.#pinned.size === 0) return 0;
    const due: Promise<boolean>[] = [];
    for (const id of this.#pinned) {
      const attachment = this.#attached.get(id);
      if (attachment !== undefined && now - attachment.lastWriteAt >= ttl / 2) {
        due.push(this.#touchQuietly(id, attachment, now, 'renew'));
      }
    }
    let ended = 0;
    for (const endedNow of await Promise.all(due)) if (endedNow) ended++;
    return ended;
  }

  /** Runs hooks of attached sessions that ended where this replica did not see it. */
  async #verifyAttached(now: number): Promise<void> {
    const checks: Promise<void>[] = [];
    for (const [id, attachment] of this.#attached) {
      if (attachment.pins > 0 || attachment.verifyAt > now) continue;
      attachment.verifyAt = this.#nextVerify(now);
      checks.push(this.#verify(id, now));
    }
    await Promise.all(checks);
  }

  async #verify(id: string, now: number): Promise<void> {
    try {
      await this.#settle(id, await this.#store.get(id, now, this.#policy), undefined);
    } catch (error) {
      this.#report('verify', toStoreError(error, 'verify'), id);
    }
  }

  async #release(id: string, attachment: Attachment): Promise<void> {
    if (--attachment.pins > 0) return;
    this.#pinned.delete(id);
    if (this.#attached.get(id) !== attachment || this.closed) return;
    await this.#touchQuietly(id, attachment, this.#clock.now(), 'release');
    this.#detachIfIdle(id, attachment);
  }

  /** Touches a pinned (or just released) session; answers whether this call ended it. */
  async #touchQuietly(
    id: string,
    attachment: Attachment,
    now: number,
    phase: SessionFailurePhase,
  ): Promise<boolean> {
    try {
      const lookup = await this.#store.touch(id, now, this.#policy, true);
      if (lookup.status === 'active') this.#wrote(attachment, now);
      else if (lookup.status === 'expired') return await this.#end(id, lookup.reason);
      else await this.#settle(id, lookup, undefined);
    } catch (error) {
      this.#report(phase, toStoreError(error, phase), id);
    }
    return false;
  }

  /** Turns a store lookup into a public resolution, ending due sessions and stale attachments. */
  async #settle(id: string, lookup: StoreLookup, owner: string | undefined): Promise<Resolution> {
    switch (lookup.status) {
      case 'active':
        return visibleTo(lookup.session, owner);
      case 'expired': {
        if (lookup.reason === 'idle' && this.#pinned.has(id)) {
          // Pinned here, so never idle: the sweeper had not renewed the lease yet.
          const renewed = await this.#call('touch', () =>
            this.#store.touch(id, this.#clock.now(), this.#policy, true),
          );
          return this.#settle(id, renewed, owner);
        }
        const ended = await this.#endWith(id, lookup.reason);
        if (ended.status === 'unknown') return UNKNOWN;
        const { tombstone } = ended;
        return tombstone.owner === owner ? { status: 'ended', tombstone } : UNKNOWN;
      }
      case 'ended': {
        const { tombstone } = lookup;
        if (this.#attached.has(id)) await this.#runHooks(id, tombstone);
        return tombstone.owner === owner ? lookup : UNKNOWN;
      }
      default:
        if (this.#attached.has(id)) {
          await this.#runHooks(id, { id, reason: 'closed', endedAt: this.#clock.now() });
        }
        return UNKNOWN;
    }
  }

  async #end(id: string, reason: EndReason): Promise<boolean> {
    return (await this.#endWith(id, reason)).status === 'ended-now';
  }

  async #endWith(id: string, reason: EndReason): Promise<EndResult> {
    const now = this.#clock.now();
    const result = await this.#call('end', () => this.#store.end(id, reason, now, this.#policy));
    if (result.status === 'ended-now') {
      await this.#finish(id, reason, result.tombstone.endedAt, result.session);
    } else if (this.#attached.has(id)) {
      const info =
        result.status === 'ended'
          ? result.tombstone
          : { id, reason: 'closed' as const, endedAt: now };
      await this.#runHooks(id, info);
    }
    return result;
  }

  /** This manager ended the session: hooks, counters, `ended` event. */
  async #finish(
    id: string,
    reason: EndReason,
    endedAt: number,
    session: SessionRecord,
  ): Promise<void> {
    const info: SessionEndInfo = { id, reason, endedAt, session: copySessionRecord(session) };
    this.#ended[reason]++;
    await this.#runHooks(id, info);
    this.#emit('ended', info);
    this.#logger?.debug?.('session ended', { session: maskSessionId(id), reason });
  }

  async #runHooks(id: string, info: SessionEndInfo): Promise<void> {
    const attachment = this.#attached.get(id);
    if (attachment === undefined) return;
    this.#attached.delete(id);
    this.#pinned.delete(id);
    const hooks = attachment.hooks;
    if (hooks === undefined || hooks.length === 0) return;
    attachment.hooks = undefined;
    await Promise.all(hooks.map((hook) => this.#runHook(hook, info)));
  }

  async #runHook(hook: EndHook, info: SessionEndInfo): Promise<void> {
    const timeoutMs = this.#options.hookTimeoutMs;
    try {
      await withTimeout(
        () => hook(info),
        timeoutMs,
        () => new Error(`End hook did not finish within ${timeoutMs} ms.`),
      );
    } catch (error) {
      this.#report('end-hook', error, info.id);
    }
  }

  async #evictOne(): Promise<boolean> {
    const candidates = await this.#call('evict', () =>
      this.#store.oldest(this.#pinned.size + 8, this.#policy),
    );
    for (const id of candidates) {
      if (this.#pinned.has(id)) continue;
      if (await this.#end(id, 'evicted')) return true;
    }
    return false;
  }

  #attach(id: string): Attachment {
    let attachment = this.#attached.get(id);
    if (attachment === undefined) {
      const now = this.#clock.now();
      attachment = { hooks: undefined, pins: 0, lastWriteAt: now, verifyAt: this.#nextVerify(now) };
      this.#attached.set(id, attachment);
    }
    return attachment;
  }

  #detachIfIdle(id: string, attachment: Attachment): void {
    if (
      attachment.pins === 0 &&
      (attachment.hooks === undefined || attachment.hooks.length === 0)
    ) {
      if (this.#attached.get(id) === attachment) this.#attached.delete(id);
    }
  }

  #wrote(attachment: Attachment, now: number): void {
    attachment.lastWriteAt = now;
    attachment.verifyAt = this.#nextVerify(now);
  }

  /**
   * A memory store only ends sessions through this manager, so its attachments need no checks.
   * A shared store may end them on another replica (a DELETE routed elsewhere, a claim by another
   * sweeper): each unpinned attachment is checked about once a minute (sooner with a shorter idle
   * TTL, never more often than the sweep), one store read each. Pinned ones learn it when their
   * lease is renewed.
   */
  #nextVerify(now: number): number {
    if (!this.#store.shared) return Infinity;
    const period = Math.min(this.#policy.idleTtlMs || VERIFY_PERIOD_MS, VERIFY_PERIOD_MS);
    return now + Math.max(period, this.#options.sweepIntervalMs);
  }

  #newId(): string {
    const id = this.#generateId();
    if (!isValidSessionId(id)) {
      throw new SessionError(
        'INVALID_OPTION',
        'Invalid option `generateId`: it returned an ID that is not 1–256 visible ASCII characters.',
      );
    }
    return id;
  }

  /** Runs a store operation; anything it throws or rejects with becomes a `SessionError`. */
  async #call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  }

  #emit<K extends 'created' | 'ended'>(event: K, arg: Parameters<SessionEvents[K]>[0]): void {
    const errors = this.#events.emit(event, arg);
    if (errors !== undefined) for (const error of errors) this.#report('listener', error);
  }

  #report(phase: SessionFailurePhase, error: unknown, sessionId?: string): void {
    reportFailure(this.#events, this.#logger, 'mcp-sessions: contained failure', {
      phase,
      error,
      sessionId,
    });
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) {
      throw new SessionError('CLOSED', 'The session manager is closed.');
    }
  }
}

function checkLabel(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LABEL_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`${field}\`: expected a string of 1 to ${MAX_LABEL_CHARS} characters.`,
    );
  }
}

function checkJson(field: string, value: unknown): void {
  if (value === undefined) return;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', `Invalid \`${field}\`: not serializable as JSON.`, {
      cause: error,
    });
  }
  if (text === undefined || text.length > MAX_JSON_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`${field}\`: expected a JSON value of at most ${MAX_JSON_CHARS} characters as text.`,
    );
  }
}
