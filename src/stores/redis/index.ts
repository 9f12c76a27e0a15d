/**
 * mcp-sessions/redis: the Redis session store a fleet of replicas shares. Bring your own
 * connected client: `redis` (node-redis v5+) or `ioredis` (v5+).
 *
 * @module
 */

export type { EvictionPolicyCheck } from './eviction.js';
export type { IoRedisClientLike } from './ioredis.js';
export { DEFAULT_PREFIX } from './keys.js';
export type { NodeRedisClientLike } from './node-redis.js';
export type { RedisClientLike, RedisStoreOptions } from './options.js';
export { RedisStore } from './redis-store.js';
