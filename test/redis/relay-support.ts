import type { Redis } from 'ioredis';
import { onTestFinished, vi } from 'vitest';
import type { RelayEnvelope } from '../../src/core/relay.js';
import { RedisRelay, type RedisRelayOptions } from '../../src/stores/redis/index.js';
import { ioRedis, nodeRedis } from '../support/redis.js';
import { within } from '../support/wait.js';

/** Which client library a relay test runs on. */
export type Library = 'node-redis' | 'ioredis';

/** A logger whose `warn` and `error` are spies. */
export function spyLogger() {
  return { warn: vi.fn(), error: vi.fn() };
}

/**
 * Connects a command client and a subscriber of `library`, closed when the current test
 * finishes (after the relays, which are closed first).
 */
export async function connections(library: Library) {
  if (library === 'node-redis') {
    const client = await nodeRedis();
    const subscriber = await nodeRedis();
    onTestFinished(async () => {
      // A test may have destroyed them already.
      await Promise.all([client.quit().catch(() => {}), subscriber.quit().catch(() => {})]);
    });
    return { client, subscriber };
  }
  const client: Redis = await ioRedis();
  const subscriber: Redis = await ioRedis();
  onTestFinished(() => {
    client.disconnect();
    subscriber.disconnect();
  });
  return { client, subscriber };
}

/** A relay on its own connections, closed when the current test finishes. */
export async function relayOn(
  library: Library,
  prefix: string,
  extra: Partial<Omit<RedisRelayOptions, 'client' | 'subscriber'>> = {},
): Promise<RedisRelay> {
  const { client, subscriber } = await connections(library);
  const relay = new RedisRelay({ client, subscriber, prefix, logger: spyLogger(), ...extra });
  onTestFinished(() => relay.close());
  return relay;
}

/** Everything a listener received, with a wait for the next arrival. */
export function inbox() {
  const received: RelayEnvelope[] = [];
  let wake: (() => void) | undefined;
  const listener = (envelope: RelayEnvelope): void => {
    received.push(envelope);
    wake?.();
  };
  /** Waits (bounded) until `count` envelopes arrived. */
  const until = async (count: number, what = `${count} envelopes`): Promise<RelayEnvelope[]> => {
    while (received.length < count) {
      await within(
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        what,
      );
    }
    return received;
  };
  return { received, listener, until };
}

/** An envelope for session `sessionId`. */
export function toStream(sessionId: string, n = 0): RelayEnvelope {
  return {
    type: 'to-stream',
    sessionId,
    message: { jsonrpc: '2.0', method: 'note', params: { n } },
  };
}
