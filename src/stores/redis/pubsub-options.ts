import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { isObject } from '../../core/validate.js';
import { CLIENT_ACCEPTED, isRedisClient, type RedisClientLike } from './options.js';
import { isRedisSubscriber, type RedisSubscriberLike } from './subscriber.js';

const MAX_PREFIX_CHARS = 256;

/**
 * The option fields every Pub/Sub user of Redis shares (`RedisRelay`, `RedisServerEventBus`):
 * the borrowed command client and subscriber, the key prefix, the command timeout and the
 * logger. Spread into each one's strict schema. Internal.
 */
export const pubSubFields = {
  client: z.custom<RedisClientLike>(isRedisClient),
  subscriber: z.custom<RedisSubscriberLike>(isRedisSubscriber),
  prefix: z.string().min(1).max(MAX_PREFIX_CHARS).optional(),
  commandTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  logger: z.custom<Logger>(isObject).optional(),
};

/** What {@link pubSubFields} accept, for the messages of `INVALID_OPTION`. */
export const PUBSUB_ACCEPTED = {
  client: CLIENT_ACCEPTED,
  subscriber:
    'a second connected client of the same library and kind as `client` (client.duplicate()); for an ioredis Cluster, one made with shardedSubscribers: true',
  prefix: `a string of 1 to ${MAX_PREFIX_CHARS} characters, ideally with a {hash tag}`,
  commandTimeoutMs: 'an integer number of ms from 1 to 600000',
  logger: 'an object with optional warn and error methods (console, a pino or winston logger)',
} as const;
