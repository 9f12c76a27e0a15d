/**
 * mcp-sessions/redis: the Redis session store a fleet of replicas shares, the relay that
 * carries messages between them, and SDK v2's server event bus over Redis. Bring your own
 * connected clients: `redis` (node-redis v5+) or `ioredis` (v5+), single-node or cluster.
 *
 * @module
 */

export type { RedisServerEventBusOptions } from './event-bus-options.js';
export type { EvictionPolicyCheck } from './eviction.js';
export type { IoRedisClientLike, IoRedisClusterLike } from './ioredis.js';
export { DEFAULT_PREFIX } from './keys.js';
export type { NodeRedisClientLike, NodeRedisClusterLike } from './node-redis.js';
export type { RedisClientLike, RedisStoreOptions } from './options.js';
export { RedisServerEventBus } from './redis-event-bus.js';
export { RedisRelay } from './redis-relay.js';
export { RedisStore } from './redis-store.js';
export type { RedisRelayOptions } from './relay-options.js';
export type { ServerEventBusLike, ServerEventLike } from './server-event.js';
export type {
  IoRedisClusterSubscriberLike,
  IoRedisSubscriberLike,
  NodeRedisClusterSubscriberLike,
  NodeRedisSubscriberLike,
  RedisSubscriberLike,
} from './subscriber.js';
