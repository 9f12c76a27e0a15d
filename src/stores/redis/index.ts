/**
 * mcp-sessions/redis: the Redis session store a fleet of replicas shares, and the relay that
 * carries messages between them. Bring your own connected clients: `redis` (node-redis v5+)
 * or `ioredis` (v5+).
 *
 * @module
 */

export type { EvictionPolicyCheck } from './eviction.js';
export type { IoRedisClientLike } from './ioredis.js';
export { DEFAULT_PREFIX } from './keys.js';
export type { NodeRedisClientLike } from './node-redis.js';
export type { RedisClientLike, RedisStoreOptions } from './options.js';
export { RedisRelay } from './redis-relay.js';
export { RedisStore } from './redis-store.js';
export type { RedisRelayOptions } from './relay-options.js';
export type {
  IoRedisSubscriberLike,
  NodeRedisSubscriberLike,
  RedisSubscriberLike,
} from './subscriber.js';
