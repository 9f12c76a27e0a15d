import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { parseOptions } from '../../core/validate.js';
import { DEFAULT_PREFIX, taggedPrefix } from './keys.js';
import type { RedisClientLike } from './options.js';
import { PUBSUB_ACCEPTED, pubSubFields } from './pubsub-options.js';
import { assertSubscriberPair, type RedisSubscriberLike } from './subscriber.js';

/** Options of {@link RedisServerEventBus}. */
export interface RedisServerEventBusOptions {
  /**
   * A client you created and connected (`createClient()` or `createCluster()` from `redis`,
   * `new Redis()` or `new Cluster()` from `ioredis`), for `PUBLISH` (`SPUBLISH` on a cluster). It may be the one your `RedisStore` and `RedisRelay` use.
   * Borrowed: the bus never connects, configures or closes it.
   */
  client: RedisClientLike;
  /**
   * A second connected client of the same library and kind, in subscribe mode: one per process,
   * shared with the `RedisRelay` if there is one (each subscribes its own channels on it). With
   * a cluster `client`, a cluster of the same library (sharded `SSUBSCRIBE`); an ioredis
   * `Cluster` made with `shardedSubscribers: true`. Borrowed:
   * never connected, configured or closed; `close()` only unsubscribes the bus's channel.
   */
  subscriber: RedisSubscriberLike;
  /**
   * Prepended to the bus channel (`<prefix>bus`), with the same rule as `RedisStore`'s: every
   * replica of one server uses the same prefix.
   * @default 'mcps:{default}:'
   */
  prefix?: string;
  /**
   * How long a `PUBLISH` or the subscription may take before it fails with
   * `SessionError('STORE_UNAVAILABLE')` (logged for `PUBLISH`), in ms.
   * @default 2000
   */
  commandTimeoutMs?: number;
  /**
   * Where the bus reports dropped messages (`warn`), and failed publishes, subscriptions and
   * listeners (`error`).
   * @default console
   */
  logger?: Logger;
}

/** {@link RedisServerEventBusOptions} after validation, defaults applied. */
export interface ResolvedRedisServerEventBusOptions {
  readonly client: RedisClientLike;
  readonly subscriber: RedisSubscriberLike;
  /** With its hash tag. */
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

const schema = z.strictObject({
  ...pubSubFields,
});

const ACCEPTED: Record<string, string> = {
  ...PUBSUB_ACCEPTED,
};

/**
 * Validates once; throws `SessionError('INVALID_OPTION')` naming the field, value and range,
 * also when `subscriber` is `client` itself or of the other library.
 */
export function resolveRedisServerEventBusOptions(
  options: RedisServerEventBusOptions,
): ResolvedRedisServerEventBusOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'RedisServerEventBus');
  assertSubscriberPair(o.client, o.subscriber, 'RedisServerEventBus', ACCEPTED.subscriber!);
  return {
    client: o.client,
    subscriber: o.subscriber,
    prefix: taggedPrefix(o.prefix ?? DEFAULT_PREFIX),
    commandTimeoutMs: o.commandTimeoutMs ?? 2000,
    logger: o.logger ?? console,
  };
}
