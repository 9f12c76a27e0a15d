import type { RedisConnection } from './connection.js';
import { ioRedisConnection, isIoRedisClient } from './ioredis.js';
import {
  isNodeRedisCluster,
  nodeRedisClusterConnection,
  nodeRedisConnection,
} from './node-redis.js';
import type { RedisClientLike } from './options.js';

/**
 * The {@link RedisConnection} over a borrowed client of any supported kind: an ioredis `Redis`
 * or `Cluster`, a node-redis client or cluster. The client must have passed option validation.
 */
export function redisConnection(client: RedisClientLike): RedisConnection {
  if (isIoRedisClient(client)) return ioRedisConnection(client);
  if (isNodeRedisCluster(client)) return nodeRedisClusterConnection(client);
  return nodeRedisConnection(client);
}
