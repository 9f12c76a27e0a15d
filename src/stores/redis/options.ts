import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { hasMethods, isObject, parseOptions } from '../../core/validate.js';
import type { EvictionPolicyCheck } from './eviction.js';
import type { IoRedisClientLike } from './ioredis.js';
import { isIoRedisClient, readsFromMasters } from './ioredis.js';
import type { NodeRedisClientLike, NodeRedisClusterLike } from './node-redis.js';
import { isNodeRedisClient, isNodeRedisCluster } from './node-redis.js';

/**
 * A connected node-redis (`redis` v5+) client or cluster (`createCluster()`), or an ioredis
 * (v5+) `Redis` or `Cluster` instance.
 */
export type RedisClientLike = NodeRedisClientLike | NodeRedisClusterLike | IoRedisClientLike;

/** True when `value` is a client of a supported kind (see {@link RedisClientLike}). */
export function isRedisClient(value: unknown): value is RedisClientLike {
  if (isIoRedisClient(value)) return readsFromMasters(value);
  return isNodeRedisClient(value) || isNodeRedisCluster(value);
}

/** What `client` options accept, for the messages of `INVALID_OPTION`. */
export const CLIENT_ACCEPTED =
  "a connected node-redis client or cluster (createClient() or createCluster() from 'redis'), or an ioredis Redis or Cluster instance (a Cluster with scaleReads 'master', its default)";

/** Options of {@link RedisStore}. TTLs and limits come from the manager, not from here. */
export interface RedisStoreOptions {
  /**
   * A client you created and connected: `createClient()` or `createCluster()` from `redis`, or
   * `new Redis()` or `new Cluster()` from `ioredis`. The store borrows it: it never connects,
   * configures or closes it. On a Redis Cluster every key of the store lives in the slot of the
   * prefix's hash tag (see `prefix`); an ioredis `Cluster` must read from masters (`scaleReads:
   * 'master'`, its default).
   */
  client: RedisClientLike;
  /**
   * Prepended to every key. Must hold a Redis Cluster hash tag (`{...}`) so every script runs
   * in one slot; a prefix without one gets `{default}:` appended (`app:` becomes
   * `app:{default}:`). Replicas that share sessions use the same prefix.
   * @default 'mcps:{default}:'
   */
  prefix?: string;
  /**
   * How long a command may take before it rejects with `SessionError('STORE_UNAVAILABLE')`,
   * in ms. Bounds the wait while the client queues commands for a Redis that is down.
   * @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * What to do when Redis may evict the store's keys, read once from `maxmemory-policy` (on a
   * cluster, every master's; the first that evicts counts) on the store's first use (or by
   * {@link RedisStore.checkEvictionPolicy}). Any policy but
   * `noeviction` loses sessions at `maxmemory`: `allkeys-*` evict any key, and `volatile-*`
   * evict ours too, since every key of the store has a TTL.
   *
   * - `'warn'`: log one warning through `logger` and go on. The check goes out beside the first
   *   operation and delays none.
   * - `'refuse'`: every operation rejects with `SessionError('STORE_UNAVAILABLE')` while the
   *   policy evicts (read again on each, so fixing Redis needs no restart). The first operation
   *   waits one extra round trip for the check.
   * - `'ignore'`: never check.
   *
   * A Redis that refuses `CONFIG GET` (renamed or forbidden on managed services) leaves the
   * policy unknown: one warning, never a refusal.
   * @default 'warn'
   */
  evictionPolicy?: EvictionPolicyCheck;
  /**
   * At most this many events kept in each session's event log (see {@link RedisStore.eventLog}):
   * every SSE event of every stream of the session counts, and the oldest go first. A client
   * resuming after a gap longer than this gets its `Last-Event-ID` refused (HTTP 400).
   * @default 1000
   */
  maxEvents?: number;
  /**
   * Where the store's warnings go (the eviction policy check, a skewed local clock). Only `warn`
   * is used.
   * @default console
   */
  logger?: Logger;
  /**
   * Whose time sessions run on, for a manager given no `clock` of its own.
   *
   * - `'redis'`: Redis's. The store's `clock` answers the local time corrected by its offset to
   *   Redis `TIME`, measured on first use and every 30 s after (the best of 3 round trips, half
   *   the round trip added; never a command per request), so replicas whose clocks disagree
   *   still agree on deadlines. Until the first measurement answers, readings are local (call
   *   {@link RedisStore.syncClock} at startup to have it before the first request). A local
   *   clock more than 1 s off is reported once through `logger`.
   * - `'local'`: the store has no clock; the manager uses the system clock, and every replica's
   *   clock must be kept in sync (NTP), or sessions end early.
   * @default 'redis'
   */
  time?: 'redis' | 'local';
  /**
   * The local clock that `time: 'redis'` corrects; for tests that move time by hand (a
   * `ManualClock`). @default `Date.now()`
   */
  baseClock?: Clock;
}

const MAX_PREFIX_CHARS = 256;
const MAX_EVENTS = 1_000_000;

const schema = z.strictObject({
  client: z.custom<RedisClientLike>(isRedisClient),
  prefix: z.string().min(1).max(MAX_PREFIX_CHARS).optional(),
  commandTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  evictionPolicy: z.enum(['warn', 'refuse', 'ignore']).optional(),
  maxEvents: z.number().int().min(1).max(MAX_EVENTS).optional(),
  logger: z.custom<Logger>(isObject).optional(),
  time: z.enum(['redis', 'local']).optional(),
  baseClock: z.custom<Clock>(hasMethods('now')).optional(),
});

const ACCEPTED: Record<string, string> = {
  client: CLIENT_ACCEPTED,
  prefix: `a string of 1 to ${MAX_PREFIX_CHARS} characters, ideally with a {hash tag}`,
  commandTimeoutMs: 'an integer number of ms from 1 to 600000',
  evictionPolicy: "one of 'warn', 'refuse', 'ignore'",
  maxEvents: `an integer from 1 to ${MAX_EVENTS}`,
  logger: 'an object with an optional warn method (console, a pino or winston logger)',
  time: "'redis' or 'local'",
  baseClock: 'an object with a now() method returning ms',
};

/** {@link RedisStoreOptions} after validation. */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisClientLike;
  readonly prefix: string | undefined;
  readonly commandTimeoutMs: number;
  readonly evictionPolicy: EvictionPolicyCheck;
  readonly maxEvents: number;
  readonly logger: Logger;
  readonly time: 'redis' | 'local';
  readonly baseClock: Clock | undefined;
}

/** Validates once; throws `SessionError('INVALID_OPTION')` naming the field, value and range. */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'RedisStore');
  return {
    client: o.client,
    prefix: o.prefix,
    commandTimeoutMs: o.commandTimeoutMs ?? 2000,
    evictionPolicy: o.evictionPolicy ?? 'warn',
    maxEvents: o.maxEvents ?? 1000,
    logger: o.logger ?? console,
    time: o.time ?? 'redis',
    baseClock: o.baseClock,
  };
}
