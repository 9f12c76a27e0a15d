import { MemoryStore } from '../stores/memory-store.js';
import { checkEndReason, checkHook, probeGenerateId } from './arguments.js';
import { Attachments } from './attachments.js';
import { type Clock, systemClock } from './clock.js';
import { type AdapterEvent, Counters, type SessionCounters } from './counters.js';
import { type CreationContext, createSession, rateLimiterOf } from './creation.js';
import { Endings } from './endings.js';
import { callStore, SessionError, toStoreError } from './errors.js';
import type { SessionEvents } from './events.js';
import { LeaseKeeper, pinChangesOf } from './leases.js';
import { countSessions, listOwnedSessions, listSessions } from './listing.js';
import { type Logger, maskSessionId } from './logger.js';
import { contextOf, type ManagerParts, type PinChanges } from './manager-context.js';
import { ManagerEvents } from './manager-events.js';
import type {
  Acquisition,
  CreateSessionOptions,
  EndHook,
  ResolveOptions,
  SessionStats,
} from './manager-types.js';
import { type ResolvedOptions, resolveOptions, type SessionManagerOptions } from './options.js';
import { visibleTo } from './record.js';
import { assertValidSessionId, generateSessionId } from './session-id.js';
import type { ListByOwnerOptions, SessionStore, StoreLookup, StorePolicy } from './store.js';
import { Sweeper } from './sweeper.js';
import type { EndReason, Resolution, SessionRecord } from './types.js';
import { type SessionUpdater, type UpdateOptions, Updates } from './updates.js';

export type { Acquisition, ResolveOptions } from './manager-types.js';

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
  readonly #counters = new Counters();
  readonly #events: ManagerEvents;
  readonly #attachments: Attachments;
  readonly #pins: PinChanges;
  readonly #leases: LeaseKeeper;
  readonly #sweeper: Sweeper;
  readonly #endings: Endings;
  readonly #creation: CreationContext;
  readonly #updates: Updates;
  #closing: Promise<void> | undefined;

  /**
   * A custom `generateId` is called 8 times here: it must answer 8 distinct session IDs of 16
   * to 256 visible ASCII characters, or the manager is refused at once.
   *
   * @throws SessionError `INVALID_OPTION` naming the field, the value and the accepted range.
   */
  constructor(options: SessionManagerOptions = {}) {
    this.#options = resolveOptions(options);
    this.#ownsStore = this.#options.store === undefined;
    this.#store = this.#options.store ?? new MemoryStore();
    this.#policy = this.#options.policy;
    this.#clock = this.#options.clock ?? this.#store.clock ?? systemClock;
    this.#clock.now(); // a store's clock that measures itself (Redis) starts on its first reading
    this.#logger = this.#options.logger;
    this.#events = new ManagerEvents(this.#logger, this.#counters);
    if (this.#options.generateId !== undefined) probeGenerateId(this.#options.generateId);
    this.#attachments = new Attachments({
      clock: this.#clock,
      shared: this.#store.shared,
      idleTtlMs: this.#policy.idleTtlMs,
      sweepIntervalMs: this.#options.sweepIntervalMs,
    });
    this.#pins = pinChangesOf(generateSessionId());
    const parts: ManagerParts = {
      store: this.#store,
      policy: this.#policy,
      clock: this.#clock,
      attachments: this.#attachments,
      pins: this.#pins,
      counters: this.#counters,
      report: (phase, error, sessionId) => this.#events.report(phase, error, sessionId),
    };
    this.#endings = new Endings(parts, this.#options.hookTimeoutMs, (info) => {
      this.#events.emit('ended', info);
      this.#logger?.debug?.('session ended', {
        session: maskSessionId(info.id),
        reason: info.reason,
      });
    });
    this.#creation = {
      store: this.#store,
      policy: this.#policy,
      clock: this.#clock,
      generateId: this.#options.generateId ?? generateSessionId,
      capacityPolicy: this.#options.capacityPolicy,
      maxInitBytes: this.#options.maxInitBytes,
      counters: this.#counters,
      rate: rateLimiterOf(this.#options.creationRate, this.#clock),
      evictOldest: () => this.#endings.evictOldest(),
    };
    this.#updates = new Updates(parts, this.#endings, () => this.#assertOpen());
    const context = contextOf(parts, this.#endings, () => this.closed);
    this.#leases = new LeaseKeeper(context);
    const { sweepBatchSize, sweepIntervalMs } = this.#options;
    this.#sweeper = new Sweeper(context, this.#leases, sweepBatchSize, sweepIntervalMs);
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
    return this.#events.registry.on(event, listener);
  }

  /** Unsubscribes a listener added with {@link SessionManager.on}. */
  off<K extends keyof SessionEvents>(event: K, listener: SessionEvents[K]): void {
    this.#events.registry.off(event, listener);
  }

  /**
   * Creates a session with a generated ID (or `options.id`). A generated ID already in use (live
   * or tombstoned) is replaced by a new one, up to 4 IDs in all; a chosen ID never is.
   * @throws SessionError `RATE_LIMITED` past `creationRate` (before any store call), `OWNER_QUOTA`
   * when `options.owner` holds `maxSessionsPerOwner` live sessions (nothing evicted for it),
   * `CAPACITY` at `maxSessions` (after trying to evict, with `capacityPolicy: 'evict-oldest'`),
   * `SESSION_EXISTS` (`options.id` in use, or every generated ID was: the message names
   * `generateId`), `INVALID_SESSION_ID`, `INVALID_ARGUMENT` (owner, kind, data, init or
   * address malformed), `STORE_UNAVAILABLE`, `CLOSED`.
   */
  async create(options: CreateSessionOptions = {}): Promise<SessionRecord> {
    this.#assertOpen();
    const record = await createSession(this.#creation, options);
    this.#events.emit('created', record);
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
    const owner = options?.owner ?? null;
    let lookup: StoreLookup;
    try {
      lookup = await this.#store.get(id, this.#clock.now(), this.#policy, owner);
    } catch (error) {
      throw this.#counters.storeFailed(toStoreError(error, 'resolve'));
    }
    if (lookup.status === 'active')
      return this.#counters.lookedUp(visibleTo(lookup.session, owner));
    return this.#counters.lookedUp(await this.#endings.settle(id, lookup, owner));
  }

  /** Like {@link SessionManager.resolve}, and restarts the idle clock of an active session. */
  async touch(id: string, options?: ResolveOptions): Promise<Resolution> {
    this.#assertOpen();
    assertValidSessionId(id);
    return this.#touch(id, options, this.#attachments.isPinned(id));
  }

  /**
   * Touches and pins a session for a request or an open stream: it never idle-expires (its
   * lifetime still applies) and no replica evicts it (the pin, recorded in the store by this
   * touch, lapses one idle TTL, or 3 min, after this replica stops renewing it). Call `release()`
   * when done; the idle clock restarts at the last release. Not active: nothing pinned.
   */
  async acquire(id: string, options?: ResolveOptions): Promise<Acquisition> {
    this.#assertOpen();
    assertValidSessionId(id);
    const acquiring = this.#attachments.beginAcquire(id);
    try {
      const resolution = await this.#touch(id, options, true);
      if (resolution.status !== 'active') return resolution;
      return this.#leases.lease(resolution.session);
    } finally {
      this.#attachments.endAcquire(id, acquiring);
    }
  }

  /** The store touch of `touch` and `acquire`; `pin` records this replica's pin with it. */
  async #touch(id: string, options: ResolveOptions | undefined, pin: boolean): Promise<Resolution> {
    const now = this.#clock.now();
    const owner = options?.owner ?? null;
    const held = pin ? this.#pins.hold : undefined;
    let lookup: StoreLookup;
    try {
      lookup = await this.#store.touch(id, now, this.#policy, false, owner, held);
    } catch (error) {
      throw this.#counters.storeFailed(toStoreError(error, 'touch'));
    }
    if (lookup.status === 'active') {
      this.#attachments.touched(id, now);
      return this.#counters.lookedUp(visibleTo(lookup.session, owner));
    }
    return this.#counters.lookedUp(await this.#endings.settle(id, lookup, owner));
  }

  /**
   * Changes a session's `data` atomically from any replica; answers the updated record (see
   * {@link SessionUpdater}, {@link UpdateOptions}). Does not touch it; a due session is ended.
   * @throws SessionError `SESSION_NOT_FOUND`, `SESSION_ENDED`, `UPDATE_CONFLICT`,
   * `INVALID_ARGUMENT`, `INVALID_OPTION`, `INVALID_SESSION_ID`, `STORE_UNAVAILABLE`, `CLOSED`.
   */
  update(id: string, updater: SessionUpdater, options?: UpdateOptions): Promise<SessionRecord> {
    return this.#updates.update(id, updater, options);
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
    checkEndReason(reason);
    return this.#endings.end(id, reason);
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
    checkHook(hook);
    return this.#attachments.addHook(id, hook);
  }

  /** Every live session (a copy; for a shared store this walks the whole store). */
  list(): Promise<SessionRecord[]> {
    return listSessions(this.#store, this.#policy, this.#counters);
  }

  /**
   * `owner`'s live sessions, oldest first, as copies; reads only theirs (see `listOwnedSessions`).
   * @throws SessionError `INVALID_ARGUMENT`, `STORE_UNAVAILABLE`, `CLOSED`.
   */
  listByOwner(owner: string, options?: ListByOwnerOptions): Promise<SessionRecord[]> {
    const { closed } = this;
    return listOwnedSessions(this.#store, this.#policy, owner, options, closed, this.#counters);
  }

  /** How many live sessions the store holds. */
  count(): Promise<number> {
    return countSessions(this.#store, this.#policy, this.#clock, this.#counters);
  }

  /** Live, pinned and tombstoned counts, stored `initialize` bytes, created and ended totals. */
  async stats(): Promise<SessionStats> {
    const now = this.#clock.now();
    const count = () => this.#store.count(now, this.#policy);
    const counts = await callStore('stats', count, this.#counters);
    return {
      live: counts.sessions,
      tombstones: counts.tombstones,
      initBytes: counts.initBytes,
      pinned: this.#attachments.pinnedCount,
      attached: this.#attachments.size,
      created: this.#counters.created,
      ended: this.#endings.counts(),
    };
  }

  /**
   * This manager's counters since it was made: created, ended by reason, rejected by cause,
   * lookups answered `unknown` or `ended`, restores and store failures (a new plain snapshot
   * each call; no store call). Export them with `registerSessionMetrics` (`mcp-sessions/otel`).
   */
  counters(): SessionCounters {
    return this.#counters.snapshot(this.#endings.counts());
  }

  /**
   * Counts what an adapter saw: `'restored'`, a session made elsewhere restored here;
   * `'badInput'`, a client mistake answered with a 4xx before any session was touched. The
   * bundled HTTP handlers call it; a custom adapter may. Never throws.
   */
  noteAdapterEvent(event: AdapterEvent): void {
    this.#counters.note(event);
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
    return this.#sweeper.sweep();
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
   * hooks. With a shared store the sessions themselves stay in the store for other replicas
   * (this replica's pins dropped); only this replica's hooks run. Closes the store only if the manager made it. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.stop();
    await this.#sweeper.idle();
    await this.#leases.dropPins();
    await this.#endings.shutdown();
    if (this.#ownsStore) await this.#store.close();
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) {
      throw new SessionError('CLOSED', 'The session manager is closed.');
    }
  }
}
