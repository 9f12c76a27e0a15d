import { SessionError } from '../../core/errors.js';
import { withTimeout } from '../../core/timers.js';
import { toRedisError } from './connection.js';
import { type IoRedisClientLike, isIoRedisClient } from './ioredis.js';
import { isNodeRedisClient, type NodeRedisClientLike } from './node-redis.js';

/** The Pub/Sub part of a node-redis (`redis` v5+) client, as `createClient()` gives it. */
export interface NodeRedisSubscriberLike extends NodeRedisClientLike {
  subscribe(
    channels: string | string[],
    listener: (message: string, channel: string) => unknown,
  ): Promise<unknown>;
  unsubscribe(
    channels?: string | string[],
    listener?: (message: string, channel: string) => unknown,
  ): Promise<unknown>;
}

/** The Pub/Sub part of an ioredis (v5+) `Redis` instance. */
export interface IoRedisSubscriberLike extends IoRedisClientLike {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  off(event: 'message', listener: (channel: string, message: string) => void): unknown;
}

/** A connected node-redis client or ioredis instance the relay may put in subscribe mode. */
export type RedisSubscriberLike = NodeRedisSubscriberLike | IoRedisSubscriberLike;

function hasFunctions(value: object, names: readonly string[]): boolean {
  const v = value as Record<string, unknown>;
  return names.every((name) => typeof v[name] === 'function');
}

/** True when `value` is a node-redis client that can subscribe. */
export function isNodeRedisSubscriber(value: unknown): value is NodeRedisSubscriberLike {
  return isNodeRedisClient(value) && hasFunctions(value, ['subscribe', 'unsubscribe']);
}

/** True when `value` is an ioredis instance that can subscribe. */
export function isIoRedisSubscriber(value: unknown): value is IoRedisSubscriberLike {
  return isIoRedisClient(value) && hasFunctions(value, ['subscribe', 'unsubscribe', 'on', 'off']);
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
 * same connection to are left alone.
 * @throws SessionError `STORE_UNAVAILABLE` when Redis refuses or does not confirm in `timeoutMs`.
 */
export async function subscribeChannels(
  subscriber: RedisSubscriberLike,
  channels: readonly string[],
  onMessage: ChannelHandler,
  timeoutMs: number,
): Promise<Subscription> {
  const list = [...channels];
  if (isIoRedisSubscriber(subscriber)) {
    const handler = (channel: string, message: string): void => {
      if (list.includes(channel)) onMessage(channel, message);
    };
    subscriber.on('message', handler);
    try {
      await timed(() => subscriber.subscribe(...list), 'SUBSCRIBE', timeoutMs);
    } catch (error) {
      subscriber.off('message', handler);
      throw error;
    }
    return {
      close: async () => {
        subscriber.off('message', handler);
        await timed(() => subscriber.unsubscribe(...list), 'UNSUBSCRIBE', timeoutMs);
      },
    };
  }
  const listener = (message: string, channel: string): void => onMessage(channel, message);
  await timed(() => subscriber.subscribe(list, listener), 'SUBSCRIBE', timeoutMs);
  return {
    close: () => timed(() => subscriber.unsubscribe(list, listener), 'UNSUBSCRIBE', timeoutMs),
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
