import { z } from 'zod';
import { parseOptions } from '../../core/validate.js';
import type { IoRedisClientLike } from './ioredis.js';
import { isIoRedisClient } from './ioredis.js';
import type { NodeRedisClientLike } from './node-redis.js';
import { isNodeRedisClient } from './node-redis.js';

/** A connected node-redis (`redis` v5+) client or an ioredis (v5+) instance. */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike;

/** Options of {@link RedisStore}. TTLs and limits come from the manager, not from here. */
export interface RedisStoreOptions {
  /**
   * A client you created and connected: `createClient()` from `redis`, or `new Redis()` from
   * `ioredis`. The store borrows it: it never connects, configures or closes it.
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
}

const MAX_PREFIX_CHARS = 256;

const schema = z.strictObject({
  client: z.custom<RedisClientLike>((v) => isNodeRedisClient(v) || isIoRedisClient(v)),
  prefix: z.string().min(1).max(MAX_PREFIX_CHARS).optional(),
  commandTimeoutMs: z.number().int().min(1).max(600_000).optional(),
});

const ACCEPTED: Record<string, string> = {
  client:
    "a connected node-redis client (createClient() from 'redis') or an ioredis instance (new Redis())",
  prefix: `a string of 1 to ${MAX_PREFIX_CHARS} characters, ideally with a {hash tag}`,
  commandTimeoutMs: 'an integer number of ms from 1 to 600000',
};

/** {@link RedisStoreOptions} after validation. */
export interface ResolvedRedisStoreOptions {
  readonly client: RedisClientLike;
  readonly prefix: string | undefined;
  readonly commandTimeoutMs: number;
}

/** Validates once; throws `SessionError('INVALID_OPTION')` naming the field, value and range. */
export function resolveRedisStoreOptions(options: RedisStoreOptions): ResolvedRedisStoreOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'RedisStore');
  return {
    client: o.client,
    prefix: o.prefix,
    commandTimeoutMs: o.commandTimeoutMs ?? 2000,
  };
}
