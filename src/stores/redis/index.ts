/**
 * mcp-sessions/redis: the Redis session store a fleet of replicas shares, the relay that
 * carries messages between them, and SDK v2's server event bus over Redis. Bring your own connected clients: `redis` (node-redis v5+)
 * or `ioredis` (v5+).
 *
 * @module
 */

export type { RedisServerEventBusOptions } from './event-bus-options.js';
export type { EvictionPolicyCheck } from './eviction.js';
export type { IoRedisClientLike } from './ioredis.js';
export { DEFAULT_PREFIX } from './keys.js';
export type { NodeRedisClientLike } from './node-redis.js';
export type { RedisClientLike, RedisStoreOptions } from './options.js';
export { RedisServerEventBus } from './redis-event-bus.js';
export { RedisRelay } from './redis-relay.js';
export { RedisStore } from './redis-store.js';
export type { RedisRelayOptions } from './relay-options.js';
export type { ServerEventBusLike, ServerEventLike } from './server-event.js';
export type {
  IoRedisSubscriberLike,
  NodeRedisSubscriberLike,
  RedisSubscriberLike,
} from './subscriber.js';
