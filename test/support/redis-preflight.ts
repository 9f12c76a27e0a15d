import { Redis } from 'ioredis';
import { REDIS_URL } from './redis.js';

/** How long the preflight waits for Redis to answer PING, in ms. */
const PREFLIGHT_TIMEOUT_MS = 2000;

/**
 * Global setup of the `redis` test project: one PING to `REDIS_URL` with a short timeout, so a
 * missing Redis fails the run at once with "Redis not reachable at <url>" instead of hanging.
 * Tests that need Redis fail (never skip) without it.
 */
export default async function redisPreflight(): Promise<void> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    connectTimeout: PREFLIGHT_TIMEOUT_MS,
    commandTimeout: PREFLIGHT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch {
    const error = new Error(`Redis not reachable at ${REDIS_URL}`);
    error.stack = error.message;
    throw error;
  } finally {
    client.disconnect();
  }
}
