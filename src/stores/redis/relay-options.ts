import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { SessionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { isObject, parseOptions } from '../../core/validate.js';
import { isIoRedisClient } from './ioredis.js';
import { DEFAULT_PREFIX, taggedPrefix } from './keys.js';
import { isNodeRedisClient } from './node-redis.js';
import type { RedisClientLike } from './options.js';
import {
  isIoRedisSubscriber,
  isNodeRedisSubscriber,
  type RedisSubscriberLike,
} from './subscriber.js';

/** Options of {@link RedisRelay}. */
export interface RedisRelayOptions {
  /**
   * A client you created and connected (`createClient()` from `redis`, or `new Redis()` from
   * `ioredis`), for commands: `PUBLISH` and the stream holder keys. It may be the one your
   * `RedisStore` uses. Borrowed: the relay never connects, configures or closes it.
   */
  client: RedisClientLike;
  /**
   * A second connected client of the same library, which the relay puts in subscribe mode
   * (Redis takes a dedicated connection for `SUBSCRIBE`): `client.duplicate()` in either
   * library. Borrowed: never connected, configured or closed; `close()` only unsubscribes.
   */
  subscriber: RedisSubscriberLike;
  /**
   * Prepended to every key and channel, with the same rule as `RedisStore`'s: give both the
   * same prefix.
   * @default 'mcps:{default}:'
   */
  prefix?: string;
  /**
   * This replica's address in the fleet: 1 to 32 characters of `[A-Za-z0-9_-]`, unique among
   * the replicas sharing the prefix.
   * @default a random 12-character base64url string
   */
  replicaId?: string;
  /**
   * How long a stream holder record lives without renewal, in ms. The relay renews the records
   * it holds every third of it, so a crashed replica's records lapse within `holdTtlMs`.
   * @default 15000
   */
  holdTtlMs?: number;
  /**
   * How long a command (or a subscription) may take before it rejects with
   * `SessionError('STORE_UNAVAILABLE')`, in ms.
   * @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * Where the relay reports dropped messages (`warn`), listeners that threw and renewals that
   * failed (`error`).
   * @default console
   */
  logger?: Logger;
}

const MAX_PREFIX_CHARS = 256;
const REPLICA_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_HOLD_TTL_MS = 30;
const MAX_HOLD_TTL_MS = 3_600_000;

const schema = z.strictObject({
  client: z.custom<RedisClientLike>((v) => isNodeRedisClient(v) || isIoRedisClient(v)),
  subscriber: z.custom<RedisSubscriberLike>(
    (v) => isNodeRedisSubscriber(v) || isIoRedisSubscriber(v),
  ),
  prefix: z.string().min(1).max(MAX_PREFIX_CHARS).optional(),
  replicaId: z.string().regex(REPLICA_ID).optional(),
  holdTtlMs: z.number().int().min(MIN_HOLD_TTL_MS).max(MAX_HOLD_TTL_MS).optional(),
  commandTimeoutMs: z.number().int().min(1).max(600_000).optional(),
  logger: z.custom<Logger>(isObject).optional(),
});

const ACCEPTED: Record<string, string> = {
  client:
    "a connected node-redis client (createClient() from 'redis') or an ioredis instance (new Redis())",
  subscriber:
    'a second connected node-redis client or ioredis instance (client.duplicate()), of the same library as `client`',
  prefix: `a string of 1 to ${MAX_PREFIX_CHARS} characters, ideally with a {hash tag}`,
  replicaId: '1 to 32 characters of A-Z, a-z, 0-9, _ and -',
  holdTtlMs: `an integer number of ms from ${MIN_HOLD_TTL_MS} to ${MAX_HOLD_TTL_MS}`,
  commandTimeoutMs: 'an integer number of ms from 1 to 600000',
  logger: 'an object with optional warn and error methods (console, a pino or winston logger)',
};

/** {@link RedisRelayOptions} after validation, defaults applied. */
export interface ResolvedRedisRelayOptions {
  readonly client: RedisClientLike;
  readonly subscriber: RedisSubscriberLike;
  /** With its hash tag. */
  readonly prefix: string;
  readonly replicaId: string;
  readonly holdTtlMs: number;
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

/** True when `id` is a valid replica address (see {@link RedisRelayOptions.replicaId}). */
export function isReplicaId(id: unknown): id is string {
  return typeof id === 'string' && REPLICA_ID.test(id);
}

/**
 * Validates once; throws `SessionError('INVALID_OPTION')` naming the field, value and range,
 * also when `subscriber` is `client` itself or of the other library.
 */
export function resolveRedisRelayOptions(options: RedisRelayOptions): ResolvedRedisRelayOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'RedisRelay');
  if (o.subscriber === (o.client as unknown)) {
    throw new SessionError(
      'INVALID_OPTION',
      'Invalid RedisRelay option `subscriber`: expected a connection of its own (client.duplicate()), got `client` itself; Redis takes a dedicated connection for SUBSCRIBE.',
    );
  }
  if (isIoRedisClient(o.client) !== isIoRedisSubscriber(o.subscriber)) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid RedisRelay option \`subscriber\`: expected ${ACCEPTED.subscriber}, got a${isIoRedisClient(o.client) ? ' node-redis client beside an ioredis client' : 'n ioredis instance beside a node-redis client'}.`,
    );
  }
  return {
    client: o.client,
    subscriber: o.subscriber,
    prefix: taggedPrefix(o.prefix ?? DEFAULT_PREFIX),
    replicaId: o.replicaId ?? randomBytes(9).toString('base64url'),
    holdTtlMs: o.holdTtlMs ?? 15_000,
    commandTimeoutMs: o.commandTimeoutMs ?? 2000,
    logger: o.logger ?? console,
  };
}
