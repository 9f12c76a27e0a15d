import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { parseOptions } from '../../core/validate.js';
import { DEFAULT_PREFIX, taggedPrefix } from './keys.js';
import type { RedisClientLike } from './options.js';
import { PUBSUB_ACCEPTED, pubSubFields } from './pubsub-options.js';
import { assertSubscriberPair, type RedisSubscriberLike } from './subscriber.js';

/** Options of {@link RedisRelay}. */
export interface RedisRelayOptions {
  /**
   * A client you created and connected (`createClient()` or `createCluster()` from `redis`,
   * `new Redis()` or `new Cluster()` from `ioredis`), for commands: `PUBLISH` (`SPUBLISH` on a
   * cluster) and the stream holder keys. It may be the one your
   * `RedisStore` uses. Borrowed: the relay never connects, configures or closes it.
   */
  client: RedisClientLike;
  /**
   * A second connected client of the same library and kind, which the relay puts in subscribe
   * mode (Redis takes a dedicated connection for `SUBSCRIBE`): `client.duplicate()` in either
   * library. With a cluster `client`, a cluster of the same library (sharded `SSUBSCRIBE`); an
   * ioredis `Cluster` made with `shardedSubscribers: true`. Borrowed: never connected, configured or closed; `close()` only unsubscribes.
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

const REPLICA_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_HOLD_TTL_MS = 30;
const MAX_HOLD_TTL_MS = 3_600_000;

const schema = z.strictObject({
  ...pubSubFields,
  replicaId: z.string().regex(REPLICA_ID).optional(),
  holdTtlMs: z.number().int().min(MIN_HOLD_TTL_MS).max(MAX_HOLD_TTL_MS).optional(),
});

const ACCEPTED: Record<string, string> = {
  ...PUBSUB_ACCEPTED,
  replicaId: '1 to 32 characters of A-Z, a-z, 0-9, _ and -',
  holdTtlMs: `an integer number of ms from ${MIN_HOLD_TTL_MS} to ${MAX_HOLD_TTL_MS}`,
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
  assertSubscriberPair(o.client, o.subscriber, 'RedisRelay', ACCEPTED.subscriber!);
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
