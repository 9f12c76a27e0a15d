import type { SessionStore } from '../../src/index.js';

/** The Redis side of the demo: the store, and how to let go of its connection. */
export interface DemoRedis {
  readonly store: SessionStore;
  /** Closes the store, then the connection. */
  close(): Promise<void>;
}

/**
 * Connects to `url` and makes the Redis store under `prefix` (the store's default prefix when
 * `undefined`). The Redis code and client library are loaded only here, so a demo in memory
 * never needs them. Rejects when Redis cannot be reached.
 */
export async function connectRedis(url: string, prefix: string | undefined): Promise<DemoRedis> {
  const [{ RedisStore }, { createClient }] = await Promise.all([
    import('../../src/stores/redis/index.js'),
    import('redis'),
  ]);
  const client = createClient({ url });
  await client.connect();
  const store = new RedisStore(prefix === undefined ? { client } : { client, prefix });
  return {
    store,
    async close() {
      await store.close();
      await client.close();
    },
  };
}
