import type { Clock, SessionStore } from '../../src/index.js';
import type { RedisRelay } from '../../src/stores/redis/index.js';

/** The Redis side of the demo: the store, the relay, and how to let go of their connections. */
export interface DemoRedis {
  readonly store: SessionStore;
  /** The baskets' store: the same client, under the prefix plus `baskets:` (same hash tag). */
  readonly basketStore: SessionStore;
  /** Carries messages between the demos sharing the prefix; give it to both handlers. */
  readonly relay: RedisRelay;
  /** Closes the relay and the store, then both connections. */
  close(): Promise<void>;
}

/**
 * Connects to `url` (two connections: one for commands, one for the relay's subscription) and
 * makes the Redis store and relay under `prefix` (the store's default prefix when `undefined`).
 * The store runs sessions on Redis's time, measured here once against `localClock` (default:
 * the system clock), so a replica whose clock is off ends nothing early. The Redis code and
 * client library are loaded only here, so a demo in memory never needs them. Rejects when
 * Redis cannot be reached.
 */
export async function connectRedis(
  url: string,
  prefix: string | undefined,
  localClock?: Clock,
): Promise<DemoRedis> {
  const [{ RedisRelay, RedisStore }, { taggedPrefix, DEFAULT_PREFIX }, { createClient }] =
    await Promise.all([
      import('../../src/stores/redis/index.js'),
      import('../../src/stores/redis/keys.js'),
      import('redis'),
    ]);
  const client = createClient({ url });
  await client.connect();
  const subscriber = client.duplicate();
  await subscriber.connect();
  const scope = prefix === undefined ? {} : { prefix };
  const base = localClock === undefined ? {} : { baseClock: localClock };
  const store = new RedisStore({ client, ...scope, ...base });
  await store.syncClock();
  const basketPrefix = `${taggedPrefix(prefix ?? DEFAULT_PREFIX)}baskets:`;
  const basketStore = new RedisStore({ client, prefix: basketPrefix, ...base });
  await basketStore.syncClock();
  const relay = new RedisRelay({ client, subscriber, ...scope });
  return {
    store,
    basketStore,
    relay,
    async close() {
      await relay.close();
      await Promise.all([store.close(), basketStore.close()]);
      await Promise.all([subscriber.close(), client.close()]);
    },
  };
}
