import { type Clock, systemClock } from '../../core/clock.js';
import type { EventLogSource, SessionEventLog } from '../../core/relay.js';
import { assertValidSessionId } from '../../core/session-id.js';
import {
  type CreateResult,
  type EndedNow,
  type EndResult,
  EVICTION_SCAN_LIMIT,
  type ListByOwnerOptions,
  type NewSession,
  type OwnerCheck,
  type PinChange,
  pinLeaseMs,
  type SessionStore,
  type StoreLookup,
  type StorePolicy,
  type UpdateResult,
} from '../../core/store.js';
import { type EndReason, type JsonValue, type SessionRecord, UNKNOWN } from '../../core/types.js';
import { redisConnection } from './client-adapter.js';
import { type RedisConnection, TimedConnection } from './connection.js';
import { eventLogTtlMs, RedisEventLog } from './event-log.js';
import { EvictionCheck } from './eviction.js';
import { DEFAULT_PREFIX, KeyLayout, taggedPrefix } from './keys.js';
import { type RedisStoreOptions, resolveRedisStoreOptions } from './options.js';
import { listOwnedSessions, pushQuotaArgs } from './owner-index.js';
import { RedisClock } from './redis-clock.js';
import {
  ACTIVE_CODE,
  CONFLICT_CODE,
  corrupt,
  decodeExpiryReason,
  decodeRecord,
  decodeTombstone,
  ENDED_CODE,
  lookupOf,
  ownerArg,
  replyArray,
  UNKNOWN_CODE,
} from './replies.js';
import { scripts } from './scripts.js';

/** IDs fetched per ZSCAN page by {@link RedisStore.list}. */
const LIST_PAGE = '200';

/**
 * A {@link SessionStore} in Redis, shared by every replica that uses the same prefix.
 *
 * Each operation is one Lua script (one round trip): touch, resolve and end answer the record,
 * the tombstone or nothing in that call; create is atomic create-if-absent; sweeps claim
 * expired sessions exactly once across the fleet, and eviction at capacity ends one session pinned
 * on no replica (pins are fields of the session hash). Times come from Redis's clock (see
 * {@link RedisStoreOptions.time}), so replicas whose clocks disagree agree on deadlines. Every key carries a store-side TTL, so a fleet
 * that crashes leaks nothing. All keys share the prefix's hash tag, so the store runs on Redis
 * Cluster (in one slot per prefix) with a node-redis `createCluster()` or ioredis `Cluster`
 * client; there the clock reads `TIME` on the prefix's master and the eviction check reads every
 * master.
 *
 * Failures reject with `SessionError`: `STORE_UNAVAILABLE` when Redis cannot be reached or does
 * not answer within `commandTimeoutMs` (nothing is ended because of it), `STORE_CORRUPT` when a
 * key under the prefix holds data the store did not write.
 *
 * Redis must not evict the store's keys: run it with `maxmemory-policy noeviction`. The store
 * reads the policy once, on first use, and warns (or refuses, see
 * {@link RedisStoreOptions.evictionPolicy}) when it is anything else. At `maxmemory` under
 * `noeviction`, Redis refuses writes: creating a session and touching one (which every request
 * does) reject with `STORE_UNAVAILABLE`, while reads, ends and sweeps go on and free memory.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { SessionManager } from 'mcp-sessions';
 * import { RedisStore } from 'mcp-sessions/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const sessions = new SessionManager({ store: new RedisStore({ client }) });
 * ```
 */
export class RedisStore implements SessionStore, EventLogSource {
  /** Sessions outlive this process: closing a manager leaves them to the other replicas. */
  readonly shared = true;

  /**
   * Redis's time, for managers given no `clock` of their own: the local clock corrected by its
   * measured offset to Redis `TIME` (see {@link RedisStoreOptions.time}). `undefined` with
   * `time: 'local'`.
   */
  readonly clock: Clock | undefined;
  readonly #redisClock: RedisClock | undefined;

  readonly #connection: TimedConnection;
  readonly #keys: KeyLayout;
  readonly #eviction: EvictionCheck;
  readonly #maxEvents: number;
  #policy: StorePolicy | undefined;
  #policyArgs: string[] = [];
  #pinHolder = '';
  #pinField = '';

  /**
   * @throws SessionError `INVALID_OPTION` when `client` is neither a node-redis client or
   * cluster nor an ioredis `Redis` or `Cluster`, or `prefix` / `commandTimeoutMs` / `evictionPolicy` / `maxEvents` /
   * `logger` is out of range.
   */
  constructor(options: RedisStoreOptions) {
    const o = resolveRedisStoreOptions(options);
    const connection: RedisConnection = redisConnection(o.client);
    this.#connection = new TimedConnection(connection, o.commandTimeoutMs);
    this.#keys = new KeyLayout(taggedPrefix(o.prefix ?? DEFAULT_PREFIX));
    this.#eviction = new EvictionCheck(this.#connection, o.evictionPolicy, o.logger);
    this.#maxEvents = o.maxEvents;
    this.#redisClock =
      o.time === 'redis'
        ? new RedisClock(
            this.#connection,
            o.baseClock ?? systemClock,
            o.logger,
            this.#connection.cluster ? this.#keys.idle : undefined,
          )
        : undefined;
    this.clock = this.#redisClock;
  }

  /**
   * The resumable event history of session `sessionId`, shared by every replica on this
   * prefix: pass it as the SDK transport's `eventStore`. A Redis stream, `<prefix>events:<id>`,
   * holding the newest `maxEvents` events of all the session's SSE streams; each event costs
   * one round trip, a replay one per 100 events. It expires `max(idleTtlMs, 10 min)` after its
   * last event (at most `maxLifetimeMs`; `maxLifetimeMs` when sessions never idle-expire; no
   * TTL when they never expire), and is deleted in the same step that ends the session (an
   * end, or a sweep's claim). Cheap to call: it holds no state but the session's key.
   * @throws SessionError `INVALID_SESSION_ID` when `sessionId` is malformed.
   */
  eventLog(sessionId: string, policy: StorePolicy): SessionEventLog {
    assertValidSessionId(sessionId);
    return new RedisEventLog(
      this.#connection,
      sessionId,
      this.#keys.events(sessionId),
      this.#maxEvents,
      eventLogTtlMs(policy),
    );
  }

  /**
   * Measures the local clock's offset to Redis's now (the store does this by itself on the
   * clock's first reading, then every 30 s); call it at startup so that the first request
   * already runs on Redis's time. Answers the offset in ms (Redis minus local), `0` with
   * `time: 'local'`.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis does not answer `TIME`.
   */
  async syncClock(): Promise<number> {
    return this.#redisClock === undefined ? 0 : this.#redisClock.sync();
  }

  /**
   * Reads Redis's `maxmemory-policy` now and acts on it as the `evictionPolicy` option says (the
   * store does this by itself on first use; call it at startup to learn early). Answers the
   * policy, or `undefined` when Redis would not tell (`CONFIG` renamed or forbidden, or Redis
   * unreachable) or `evictionPolicy` is `'ignore'`.
   * @throws SessionError `STORE_UNAVAILABLE` when `evictionPolicy` is `'refuse'` and the policy
   * is not `noeviction`.
   */
  checkEvictionPolicy(): Promise<string | undefined> {
    return this.#eviction.check();
  }

  /** The prefix every key starts with, hash tag included (for inspection and cleanup). */
  get prefix(): string {
    return this.#keys.prefix;
  }

  async create(session: NewSession, policy: StorePolicy): Promise<CreateResult> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const { id } = session;
    const keys = this.#keys;
    const script = scripts.create;
    const owned = session.owner !== undefined;
    const args = script.commandWithKeys(owned ? 6 : 5);
    args.push(keys.session(id), keys.tombstone(id), keys.idle, keys.life, keys.ended);
    if (owned) args.push(keys.owner(session.owner));
    pushQuotaArgs(this.#prelude(args, session.createdAt, policy, id), policy, session.owner);
    if (session.owner !== undefined) args.push('o', session.owner);
    if (session.kind !== undefined) args.push('k', session.kind);
    if (session.data !== undefined) args.push('d', JSON.stringify(session.data));
    if (session.init !== undefined) args.push('i', JSON.stringify(session.init));
    const reply = await script.run(this.#connection, args);
    if (reply === 1) return 'created';
    if (reply === 0) return 'exists';
    if (reply === 2) return 'full';
    if (reply === 3) return 'owner-full';
    throw corrupt(id, `create answered ${String(reply)}`);
  }

  async get(
    id: string,
    now: number,
    policy: StorePolicy,
    owner?: OwnerCheck,
  ): Promise<StoreLookup> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.get.command();
    args.push(keys.session(id), keys.tombstone(id));
    this.#prelude(args, now, policy, id).push(ownerArg(owner));
    const reply = await scripts.get.run(this.#connection, args);
    return lookupOf(id, reply);
  }

  async touch(
    id: string,
    now: number,
    policy: StorePolicy,
    revive = false,
    owner?: OwnerCheck,
    pin?: PinChange,
  ): Promise<StoreLookup> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.touch.command();
    args.push(keys.session(id), keys.tombstone(id), keys.idle);
    this.#prelude(args, now, policy, id).push(revive ? '1' : '0', ownerArg(owner));
    if (pin === undefined) args.push('', '');
    else args.push(this.#pinFieldOf(pin.holder), pin.hold ? String(now + pinLeaseMs(policy)) : '');
    const reply = await scripts.touch.run(this.#connection, args);
    return lookupOf(id, reply);
  }

  async end(id: string, reason: EndReason, now: number, policy: StorePolicy): Promise<EndResult> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.end.command();
    args.push(keys.session(id), keys.tombstone(id), keys.idle, keys.life, keys.ended);
    args.push(keys.events(id));
    this.#prelude(args, now, policy, id).push(reason);
    const reply = replyArray(await scripts.end.run(this.#connection, args), id);
    switch (reply[0]) {
      case ACTIVE_CODE: {
        const session = decodeRecord(id, reply, 1, 7, false);
        return {
          status: 'ended-now',
          session,
          tombstone: { id, owner: session.owner, reason, endedAt: now },
        };
      }
      case ENDED_CODE:
        return { status: 'ended', tombstone: decodeTombstone(id, reply) };
      case UNKNOWN_CODE:
        return UNKNOWN;
      default:
        throw corrupt(id, `end answered ${String(reply[0])}`);
    }
  }

  async claimExpired(now: number, limit: number, policy: StorePolicy): Promise<EndedNow[]> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.claim.command();
    args.push(keys.idle, keys.life, keys.ended);
    this.#prelude(args, now, policy, '').push(String(limit));
    const reply = replyArray(await scripts.claim.run(this.#connection, args), '');
    const claimed: EndedNow[] = [];
    for (let at = 0; at + 9 <= reply.length; at += 9) {
      const id = String(reply[at]);
      const session = decodeRecord(id, reply, at + 1, at + 8, false);
      const reason = decodeExpiryReason(id, reply[at + 7]);
      claimed.push({
        status: 'ended-now',
        session,
        tombstone: { id, owner: session.owner, reason, endedAt: now },
      });
    }
    return claimed;
  }

  async evictOldest(now: number, policy: StorePolicy): Promise<EndedNow | undefined> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.evict.command();
    args.push(keys.idle, keys.life, keys.ended);
    this.#prelude(args, now, policy, '').push(String(EVICTION_SCAN_LIMIT));
    const reply = replyArray(await scripts.evict.run(this.#connection, args), '');
    if (reply.length === 0) return undefined;
    const id = String(reply[0]);
    const session = decodeRecord(id, reply, 1, 7, false);
    return {
      status: 'ended-now',
      session,
      tombstone: { id, owner: session.owner, reason: 'evicted', endedAt: now },
    };
  }

  async count(now: number, policy: StorePolicy): Promise<{ sessions: number; tombstones: number }> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.count.command();
    args.push(keys.idle, keys.ended);
    this.#prelude(args, now, policy, '');
    const reply = replyArray(await scripts.count.run(this.#connection, args), '');
    return { sessions: Number(reply[0]), tombstones: Number(reply[1]) };
  }

  /** Walks the touch-order index with ZSCAN, one page (one round trip) at a time. */
  async *list(): AsyncIterable<SessionRecord> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    let cursor = '0';
    do {
      const args = scripts.list.command();
      args.push(this.#keys.idle, this.#keys.prefix, cursor, LIST_PAGE);
      const reply = replyArray(await scripts.list.run(this.#connection, args), '');
      cursor = String(reply[0]);
      for (let at = 1; at + 8 <= reply.length; at += 8) {
        const id = String(reply[at]);
        yield decodeRecord(id, reply, at + 1, at + 7, false);
      }
    } while (cursor !== '0');
  }

  /** One script over the owner's index: one round trip, reading only that owner's sessions. */
  async listByOwner(
    owner: string,
    _policy: StorePolicy,
    options?: ListByOwnerOptions,
  ): Promise<SessionRecord[]> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    return listOwnedSessions(this.#connection, this.#keys, owner, options);
  }

  async update(
    id: string,
    expectedVersion: number,
    data: JsonValue,
    now: number,
    policy: StorePolicy,
    owner?: OwnerCheck,
  ): Promise<UpdateResult> {
    const gate = this.#eviction.gate();
    if (gate !== undefined) await gate;
    const keys = this.#keys;
    const args = scripts.update.command();
    args.push(keys.session(id), keys.tombstone(id));
    this.#prelude(args, now, policy, id).push(
      ownerArg(owner),
      String(expectedVersion),
      JSON.stringify(data),
    );
    const reply = replyArray(await scripts.update.run(this.#connection, args), id);
    if (reply[0] === CONFLICT_CODE) {
      return { status: 'conflict', session: decodeRecord(id, reply, 1, 7) };
    }
    const lookup = lookupOf(id, reply);
    return lookup.status === 'active' ? { status: 'updated', session: lookup.session } : lookup;
  }

  /** Stops the clock's measurements; the client belongs to the caller and stays open. */
  async close(): Promise<void> {
    this.#redisClock?.close();
  }

  /** The session hash field of `holder`'s pin (kept for the last holder: one per manager). */
  #pinFieldOf(holder: string): string {
    if (holder !== this.#pinHolder) {
      this.#pinHolder = holder;
      this.#pinField = `p:${holder}`;
    }
    return this.#pinField;
  }

  /** Pushes the scripts' common ARGV (now, the policy, the prefix, the ID); answers `args`. */
  #prelude(args: string[], now: number, policy: StorePolicy, id: string): string[] {
    if (policy !== this.#policy) {
      this.#policy = policy;
      this.#policyArgs = [
        String(policy.idleTtlMs),
        String(policy.maxLifetimeMs),
        String(policy.tombstoneTtlMs),
        String(policy.maxTombstones),
        Number.isFinite(policy.maxSessions) ? String(policy.maxSessions) : '-1',
      ];
    }
    const p = this.#policyArgs;
    args.push(String(now), p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, this.#keys.prefix, id);
    return args;
  }
}
