import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { isObject } from '../../core/validate.js';
import { isIoRedisClient } from './ioredis.js';
import { isNodeRedisClient } from './node-redis.js';
import type { RedisClientLike } from './options.js';
import {
  isIoRedisSubscriber,
  isNodeRedisSubscriber,
  type RedisSubscriberLike,
} from './subscriber.js';

const MAX_PREFIX_CHARS = 256;

/**
 * The option fields every Pub/Sub user of Redis shares (`RedisRelay`, `RedisServerEventBus`):
 * the borrowed command client and subscriber, the key prefix, the command timeout and the
 * logger. Spread into each one's strict schema. Internal.
 */
export const pubSubFields = {
  client: z.custom<RedisClientLike>((v) => isNodeRedisClient(v) || isIoRedisClient(v)),
  subscriber: z.custom<RedisSubscriberLike>(
    (v) => isNodeRedisSubscriber(v) || isIoRedisSubscriber(v),
  ),
  prefix: z.string().min(1).max(MAX_PREFIX_CHARS).optional(),
  commandTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  logger: z.custom<Logger>(isObject).optional(),
};

/** What {@link pubSubFields} accept, for the messages of `INVALID_OPTION`. */
export const PUBSUB_ACCEPTED = {
  client:
    "a connected node-redis client (createClient() from 'redis') or an ioredis instance (new Redis())",
  subscriber:
    'a second connected node-redis client or ioredis instance (client.duplicate()), of the same library as `client`',
  prefix: `a string of 1 to ${MAX_PREFIX_CHARS} characters, ideally with a {hash tag}`,
  commandTimeoutMs: 'an integer number of ms from 1 to 600000',
  logger: 'an object with optional warn and error methods (console, a pino or winston logger)',
} as const;
