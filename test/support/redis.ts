import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

/** The Redis the tests use; they fail (never skip) when it is unreachable. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A connected node-redis client. */
export async function nodeRedis(url = REDIS_URL) {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A connected ioredis client. */
export async function ioRedis(url = REDIS_URL): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A prefix no other test run uses, with its own hash tag. */
export function testPrefix(label: string): string {
  return `mcps-test:{${label}-${randomUUID()}}:`;
}

/** Deletes every key under `prefix` (SCAN, never KEYS); answers how many were deleted. */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Every key under `prefix` (SCAN). */
export async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}
