import { SessionError } from '../../core/errors.js';
import { withTimeout } from '../../core/timers.js';
import { toRedisError } from './connection.js';
import { type IoRedisClientLike, isIoRedisClient, isIoRedisCluster } from './ioredis.js';
import {
  isNodeRedisClient,
  isNodeRedisCluster,
  type NodeRedisClientLike,
  type NodeRedisClusterLike,
} from './node-redis.js';

type NodeRedisListener = (message: string, channel: string) => unknown;

/** The Pub/Sub part of a node-redis (`redis` v5+) client, as `createClient()` gives it. */
export interface NodeRedisSubscriberLike extends NodeRedisClientLike {
  subscribe(channels: string | string[], listener: NodeRedisListener): Promise<unknown>;
  unsubscribe(channels?: string | string[], listener?: NodeRedisListener): Promise<unknown>;
}

/**
 * The sharded Pub/Sub part of a node-redis cluster (`createCluster()`), which subscribes each
 * channel on the master of its slot.
 */
export interface NodeRedisClusterSubscriberLike extends NodeRedisClusterLike {
  sSubscribe(channels: string | string[], listener: NodeRedisListener): Promise<unknown>;
  sUnsubscribe(channels?: string | string[], listener?: NodeRedisListener): Promise<unknown>;
}

/** The Pub/Sub part of an ioredis (v5+) `Redis` instance. */
export interface IoRedisSubscriberLike extends IoRedisClientLike {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message' | 'smessage', listener: (channel: string, message: string) => void): unknown;
  off(event: 'message' | 'smessage', listener: (channel: string, message: string) => void): unknown;
}

/**
 * The sharded Pub/Sub part of an ioredis `Cluster`, made with `shardedSubscribers: true` (without
 * it ioredis sends `SSUBSCRIBE` to a random node, which refuses it).
 */
export interface IoRedisClusterSubscriberLike extends IoRedisSubscriberLike {
  readonly isCluster: true;
  readonly options: { readonly shardedSubscribers?: boolean };
  ssubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
}

/**
 * A connected node-redis client or cluster, or ioredis `Redis` or `Cluster`, that the relay or
 * bus may put in subscribe mode. Clusters use sharded Pub/Sub (`SSUBSCRIBE`).
 */
export type RedisSubscriberLike =
  | NodeRedisSubscriberLike
  | NodeRedisClusterSubscriberLike
  | IoRedisSubscriberLike
  | IoRedisClusterSubscriberLike;

function hasFunctions(value: object, names: readonly string[]): boolean {
  const v = value as Record<string, unknown>;
  return names.every((name) => typeof v[name] === 'function');
}

/** True when `value` is a node-redis client that can subscribe. */
export function isNodeRedisSubscriber(value: unknown): value is NodeRedisSubscriberLike {
  return isNodeRedisClient(value) && hasFunctions(value, ['subscribe', 'unsubscribe']);
}

/** True when `value` is a node-redis cluster that can subscribe sharded channels. */
export function isNodeRedisClusterSubscriber(
  value: unknown,
): value is NodeRedisClusterSubscriberLike {
  return isNodeRedisCluster(value) && hasFunctions(value, ['sSubscribe', 'sUnsubscribe']);
}

/** True when `value` is an ioredis instance that can subscribe. */
export function isIoRedisSubscriber(value: unknown): value is IoRedisSubscriberLike {
  return isIoRedisClient(value) && hasFunctions(value, ['subscribe', 'unsubscribe', 'on', 'off']);
}

function isIoRedisClusterSubscriber(
  value: IoRedisSubscriberLike,
): value is IoRedisClusterSubscriberLike {
  return isIoRedisCluster(value) && hasFunctions(value, ['ssubscribe', 'sunsubscribe']);
}

/** True when `value` is any subscriber of {@link RedisSubscriberLike}. */
export function isRedisSubscriber(value: unknown): value is RedisSubscriberLike {
  return (
    isNodeRedisSubscriber(value) ||
    isNodeRedisClusterSubscriber(value) ||
    isIoRedisSubscriber(value)
  );
}

/** True for a Redis Cluster client of either library. */
function isCluster(value: unknown): boolean {
  return isIoRedisCluster(value) || isNodeRedisCluster(value);
}

/**
 * Checks that `subscriber` is a connection of its own, of the same library and kind (cluster or
 * not) as `client`; an ioredis `Cluster` must have been made with `shardedSubscribers: true`.
 * @throws SessionError `INVALID_OPTION` naming `owner`'s `subscriber` option otherwise.
 */
export function assertSubscriberPair(
  client: object,
  subscriber: RedisSubscriberLike,
  owner: string,
  accepted: string,
): void {
  if (subscriber === (client as unknown)) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid ${owner} option \`subscriber\`: expected a connection of its own (client.duplicate()), got \`client\` itself; Redis takes a dedicated connection for SUBSCRIBE.`,
    );
  }
  if (isIoRedisClient(client) !== isIoRedisSubscriber(subscriber)) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid ${owner} option \`subscriber\`: expected ${accepted}, got a${isIoRedisClient(client) ? ' node-redis client beside an ioredis client' : 'n ioredis instance beside a node-redis client'}.`,
    );
  }
  if (isCluster(client) !== isCluster(subscriber)) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid ${owner} option \`subscriber\`: expected ${accepted}, got a${isCluster(client) ? ' single-node client beside a cluster' : ' cluster beside a single-node client'}.`,
    );
  }
  if (isIoRedisCluster(subscriber) && !shardedSubscribers(subscriber)) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid ${owner} option \`subscriber\`: expected an ioredis Cluster made with shardedSubscribers: true (client.duplicate([], { shardedSubscribers: true })), got one without; on a cluster the channels are sharded (SSUBSCRIBE), which ioredis routes to the slot's master only with that option.`,
    );
  }
}

function shardedSubscribers(cluster: object): boolean {
  const options = (cluster as { options?: { shardedSubscribers?: unknown } }).options;
  return options?.shardedSubscribers === true;
}

/** Called with each message on a subscribed channel. */
export type ChannelHandler = (channel: string, message: string) => void;

/** Subscribed channels; `close()` unsubscribes them. */
export interface Subscription {
  close(): Promise<void>;
}

/**
 * Subscribes `subscriber` to `channels`, handing every message on them to `onMessage`;
 * resolves once Redis confirmed. Messages on other channels the caller's own code subscribed the
 * same connection to are left alone. A cluster subscribes them as sharded channels
 * (`SSUBSCRIBE`, on the master of their slot; publish them with `SPUBLISH`): `channels` must
 * share one slot.
 * @throws SessionError `STORE_UNAVAILABLE` when Redis refuses or does not confirm in `timeoutMs`.
 */
export async function subscribeChannels(
  subscriber: RedisSubscriberLike,
  channels: readonly string[],
  onMessage: ChannelHandler,
  timeoutMs: number,
): Promise<Subscription> {
  const list = [...channels];
  if (isIoRedisSubscriber(subscriber))
    return subscribeIoRedis(subscriber, list, onMessage, timeoutMs);
  const listener = (message: string, channel: string): void => onMessage(channel, message);
  if (isNodeRedisClusterSubscriber(subscriber)) {
    await timed(() => subscriber.sSubscribe(list, listener), 'SSUBSCRIBE', timeoutMs);
    return {
      close: () => timed(() => subscriber.sUnsubscribe(list, listener), 'SUNSUBSCRIBE', timeoutMs),
    };
  }
  const client = subscriber as NodeRedisSubscriberLike;
  await timed(() => client.subscribe(list, listener), 'SUBSCRIBE', timeoutMs);
  return {
    close: () => timed(() => client.unsubscribe(list, listener), 'UNSUBSCRIBE', timeoutMs),
  };
}

async function subscribeIoRedis(
  subscriber: IoRedisSubscriberLike,
  list: string[],
  onMessage: ChannelHandler,
  timeoutMs: number,
): Promise<Subscription> {
  const sharded = isIoRedisClusterSubscriber(subscriber);
  const event = sharded ? 'smessage' : 'message';
  const subscribe = sharded
    ? () => subscriber.ssubscribe(...list)
    : () => subscriber.subscribe(...list);
  const unsubscribe = sharded
    ? () => subscriber.sunsubscribe(...list)
    : () => subscriber.unsubscribe(...list);
  const name = sharded ? 'SSUBSCRIBE' : 'SUBSCRIBE';
  const handler = (channel: string, message: string): void => {
    if (list.includes(channel)) onMessage(channel, message);
  };
  subscriber.on(event, handler);
  try {
    await timed(subscribe, name, timeoutMs);
  } catch (error) {
    subscriber.off(event, handler);
    throw error;
  }
  return {
    close: async () => {
      subscriber.off(event, handler);
      await timed(unsubscribe, `UN${name}`, timeoutMs);
    },
  };
}

async function timed(run: () => Promise<unknown>, command: string, timeoutMs: number) {
  await withTimeout(
    async () => {
      try {
        await run();
      } catch (error) {
        throw toRedisError(error, command);
      }
    },
    timeoutMs,
    () =>
      new SessionError(
        'STORE_UNAVAILABLE',
        `Redis did not confirm ${command} within ${timeoutMs} ms.`,
      ),
  );
}
