import type { Clock } from './clock.js';
import type {
  EndedResolution,
  EndReason,
  JsonValue,
  Resolution,
  SessionRecord,
  Tombstone,
} from './types.js';

/**
 * The manager's settings a store needs to apply atomically. The manager passes the same frozen
 * object to every call; stores must not keep it between calls.
 */
export interface StorePolicy {
  /** Idle window in ms; `0`: sessions never idle-expire. */
  readonly idleTtlMs: number;
  /** Absolute lifetime in ms from creation; `0`: none. */
  readonly maxLifetimeMs: number;
  /** How long a tombstone is kept, in ms; `0`: no tombstones. */
  readonly tombstoneTtlMs: number;
  /** At most this many tombstones; the oldest go first. */
  readonly maxTombstones: number;
  /** At most this many live sessions (`Infinity`: no limit). */
  readonly maxSessions: number;
  /**
   * At most this many live sessions per owner; sessions without an owner are not counted
   * (`Infinity`, or absent: no limit). The manager always sets it.
   */
  readonly maxSessionsPerOwner?: number;
}

/** What a new session is made of; `lastSeenAt` starts at `createdAt`, `version` at 1. */
export type NewSession = Omit<SessionRecord, 'lastSeenAt' | 'version'>;

/**
 * A session whose deadline has passed but which no one has ended yet (the sweep has not run).
 * The manager ends it with `reason` when it sees this.
 */
export interface ExpiredLookup {
  readonly status: 'expired';
  readonly session: SessionRecord;
  readonly reason: 'idle' | 'lifetime';
}

/** What {@link SessionStore.get} and {@link SessionStore.touch} answer. */
export type StoreLookup = Resolution | ExpiredLookup;

/**
 * Answer of {@link SessionStore.create}: made, ID taken (live or tombstoned), store full
 * (`maxSessions`), or the new session's owner already holds `maxSessionsPerOwner` live sessions.
 */
export type CreateResult = 'created' | 'exists' | 'full' | 'owner-full';

/** Answer of {@link SessionStore.count}. */
export interface StoreCounts {
  /** Live sessions (past their deadline too, until they are ended). */
  readonly sessions: number;
  /** Tombstones not yet dropped. */
  readonly tombstones: number;
  /**
   * The live sessions' stored `init` texts, in bytes as UTF-8; optional: a store that does not
   * keep this count (the Redis store, whose memory Redis reports) leaves it out.
   */
  readonly initBytes?: number | undefined;
}

/** Options of {@link SessionStore.listByOwner}. */
export interface ListByOwnerOptions {
  /** Only sessions created with this `kind`. @default every kind */
  readonly kind?: string | undefined;
  /** At most this many sessions (the oldest first). @default no limit */
  readonly limit?: number | undefined;
}

/** This call ended the session: the caller runs its end hooks, exactly once fleet-wide. */
export interface EndedNow {
  readonly status: 'ended-now';
  readonly session: SessionRecord;
  readonly tombstone: Tombstone;
}

/** Answer of {@link SessionStore.end}. */
export type EndResult = EndedNow | EndedResolution | { readonly status: 'unknown' };

/** The update was applied: `session` carries the new data and version. */
export interface UpdatedNow {
  readonly status: 'updated';
  readonly session: SessionRecord;
}

/** The session's version was not the expected one: nothing was written; `session` is current. */
export interface UpdateConflict {
  readonly status: 'conflict';
  readonly session: SessionRecord;
}

/**
 * Answer of {@link SessionStore.update}: applied, a version conflict, or what a lookup answers
 * for a session that is past its deadline (`'expired'`), ended or unknown (nothing written).
 */
export type UpdateResult =
  | UpdatedNow
  | UpdateConflict
  | ExpiredLookup
  | EndedResolution
  | { readonly status: 'unknown' };

/**
 * A replica's pin, recorded by {@link SessionStore.touch}: `hold` records (or renews) that the
 * replica `holder` holds the session pinned until `now + pinLeaseMs(policy)`; `hold: false`
 * drops that replica's pin (its last request or stream let go). Other replicas' pins are left
 * alone. Managers make two of these once and pass the same objects on every call.
 */
export interface PinChange {
  /** Who holds the pin: one ID per manager (1 to 256 visible ASCII characters). */
  readonly holder: string;
  /** `true`: record or renew the pin; `false`: drop it. */
  readonly hold: boolean;
}

/**
 * How long a pin lasts when the idle TTL is `0` (sessions that never idle out), in ms: renewed
 * every half of it, it outlasts the default sweep interval of such a manager (60 s at most).
 */
export const DEFAULT_PIN_LEASE_MS = 180_000;

/**
 * How long a recorded pin lasts without renewal, in ms: the idle TTL, or
 * {@link DEFAULT_PIN_LEASE_MS} when sessions never idle out. A replica renews its pins every half
 * of this, so the pins of a replica that crashed lapse at most this long after its last renewal.
 */
export function pinLeaseMs(policy: Pick<StorePolicy, 'idleTtlMs'>): number {
  return policy.idleTtlMs > 0 ? policy.idleTtlMs : DEFAULT_PIN_LEASE_MS;
}

/**
 * At most this many of the least recently touched sessions {@link SessionStore.evictOldest}
 * looks at: when all of them are pinned, it ends none, so one call stays cheap.
 */
export const EVICTION_SCAN_LIMIT = 100;

/** The time at which a session is due, under `policy`; `Infinity` when never. */
export function deadlineOf(
  createdAt: number,
  lastSeenAt: number,
  policy: Pick<StorePolicy, 'idleTtlMs' | 'maxLifetimeMs'>,
): number {
  const idle = policy.idleTtlMs > 0 ? lastSeenAt + policy.idleTtlMs : Infinity;
  const life = policy.maxLifetimeMs > 0 ? createdAt + policy.maxLifetimeMs : Infinity;
  return Math.min(idle, life);
}

/** Which deadline ends a session that is due at `now`: the lifetime wins a tie. */
export function expiryReasonOf(
  createdAt: number,
  policy: Pick<StorePolicy, 'maxLifetimeMs'>,
  now: number,
): 'idle' | 'lifetime' {
  return policy.maxLifetimeMs > 0 && createdAt + policy.maxLifetimeMs <= now ? 'lifetime' : 'idle';
}

/**
 * Whose request a {@link SessionStore.get} or {@link SessionStore.touch} serves: the caller's
 * owner, `null` for a caller without one (it sees only sessions without an owner), or
 * `undefined` for no check at all (the manager's own bookkeeping). A session is visible to a
 * check when its `owner` equals the caller's, `undefined` standing for `null`.
 */
export type OwnerCheck = string | null | undefined;

/** Whether a record with owner `recorded` is visible to the check `owner` (see {@link OwnerCheck}). */
export function ownerMatches(recorded: string | undefined, owner: OwnerCheck): boolean {
  return owner === undefined || (recorded ?? null) === owner;
}

/**
 * Where sessions live. Every method is one atomic step (one round trip for a networked store),
 * takes the time as `now` from the manager's clock, and rejects with
 * `SessionError('STORE_UNAVAILABLE')` when the backend cannot be reached. A store never ends a
 * session on its own initiative except through {@link SessionStore.claimExpired}.
 *
 * Run `describeStoreConformance` from `mcp-sessions/testing` against any implementation.
 */
export interface SessionStore {
  /**
   * `true` when sessions outlive this process (a networked store shared by replicas). On
   * `close()` the manager then only detaches its local transports instead of ending sessions.
   */
  readonly shared: boolean;

  /**
   * The time the store keeps, when it has one (a networked store reading its server's clock, so
   * that every replica agrees). A manager without a `clock` option uses it; without either it
   * uses the system clock.
   */
  readonly clock?: Clock | undefined;

  /**
   * Atomic create-if-absent. `'exists'` when the ID is live or tombstoned; `'owner-full'` when
   * the session has an owner that already holds `policy.maxSessionsPerOwner` live sessions
   * (checked before the global cap, so a refused owner never causes an eviction); `'full'` at
   * `maxSessions`. Sessions past their deadline count until they are ended. A created session
   * with an owner enters the owner index in the same step.
   */
  create(session: NewSession, policy: StorePolicy): Promise<CreateResult>;

  /**
   * Reads a session without touching it. A session past its deadline answers `'expired'`.
   * With an `owner` check, another owner's session or tombstone answers `'unknown'`.
   */
  get(id: string, now: number, policy: StorePolicy, owner?: OwnerCheck): Promise<StoreLookup>;

  /**
   * Sets `lastSeenAt = now` on a live session and answers it; a tombstone or nothing otherwise.
   * A session already past its deadline is not revived: it answers `'expired'`, unless
   * `revive` is set and only the idle deadline has passed (the caller held the session pinned,
   * so it was never idle). A passed lifetime always answers `'expired'`.
   *
   * With an `owner` check, the owner is compared first, inside the same atomic step: another
   * owner's session (live, past its deadline or tombstoned) answers `'unknown'` and nothing is
   * written, so a stranger neither keeps it alive nor revives it, and does the same work as for
   * a never-seen ID.
   *
   * With a `pin` change, an active answer also records or drops that replica's pin in the same
   * step (see {@link PinChange}); nothing is recorded when the answer is not `'active'`.
   */
  touch(
    id: string,
    now: number,
    policy: StorePolicy,
    revive?: boolean,
    owner?: OwnerCheck,
    pin?: PinChange,
  ): Promise<StoreLookup>;

  /**
   * Ends a live session: removes it and writes its tombstone in one step. `'ended-now'` to
   * exactly one caller; later calls answer the tombstone (or `'unknown'` once it is gone).
   */
  end(id: string, reason: EndReason, now: number, policy: StorePolicy): Promise<EndResult>;

  /**
   * Ends up to `limit` sessions whose deadline is `<= now` and answers them, each to exactly
   * one caller across every process sharing the store. Also drops tombstones past their age.
   */
  claimExpired(now: number, limit: number, policy: StorePolicy): Promise<EndedNow[]>;

  /**
   * Ends, with reason `'evicted'` and a tombstone, the least recently touched live session that
   * no replica holds pinned (no pin whose lease runs past `now`), looking at no more than the
   * {@link EVICTION_SCAN_LIMIT} least recently touched sessions. Answers it to exactly one
   * caller across every process sharing the store, or `undefined` when none could be ended. The
   * ended session leaves the owner index in the same step.
   */
  evictOldest(now: number, policy: StorePolicy): Promise<EndedNow | undefined>;

  /**
   * How many live sessions and tombstones the store holds, and, when the store keeps the count,
   * the bytes of the live sessions' stored `initialize` texts.
   */
  count(now: number, policy: StorePolicy): Promise<StoreCounts>;

  /** Every live session, in no particular order (enumerates without blocking the backend). */
  list(policy: StorePolicy): AsyncIterable<SessionRecord>;

  /**
   * The live sessions of `owner`, oldest first (created in the same millisecond: in any order),
   * from the owner index (sessions without an owner are not indexed). Every step that ends a
   * session (`end`, `claimExpired`, `evictOldest`) takes it out of the index in the same atomic
   * step; `touch` and `get` never read or write the index.
   * Like {@link SessionStore.list}, sessions past their deadline are answered until they are
   * ended. `options.kind` keeps one kind, `options.limit` the oldest that many.
   */
  listByOwner(
    owner: string,
    policy: StorePolicy,
    options?: ListByOwnerOptions,
  ): Promise<SessionRecord[]>;

  /**
   * Replaces a live session's `data` when its `version` is `expectedVersion`: writes `data`,
   * sets `version` to one more, and answers `'updated'` with the new record. Any other version
   * answers `'conflict'` with the current record, and nothing is written. `lastSeenAt`, the
   * deadlines and every other field stay as they are (an update is not a use of the session).
   *
   * The owner is compared first, inside the same atomic step, exactly as
   * {@link SessionStore.touch} does: another owner's session answers `'unknown'` and nothing is
   * written. A session past its deadline answers `'expired'` (as {@link SessionStore.get}
   * would), an ended one its tombstone, a never-seen ID `'unknown'`; none of them is written.
   */
  update(
    id: string,
    expectedVersion: number,
    data: JsonValue,
    now: number,
    policy: StorePolicy,
    owner?: OwnerCheck,
  ): Promise<UpdateResult>;

  /** Releases what the store itself opened. Never closes a client the caller passed in. */
  close(): Promise<void>;
}
