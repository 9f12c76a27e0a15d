import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, expect, onTestFinished } from 'vitest';

/** The Redis the tests use; they fail (never skip) when it is unreachable. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** How long one connection attempt may take, in ms. */
const CONNECT_TIMEOUT_MS = 2000;

/**
 * Reconnect delays after a connection that once worked was lost: 50 ms more per attempt, at most
 * 500 ms, and no attempt after {@link MAX_RECONNECTS} (about 45 s in all). A client that never
 * connected does not retry at all.
 */
const MAX_RECONNECTS = 100;

function reconnectDelay(attempt: number): number | undefined {
  return attempt > MAX_RECONNECTS ? undefined : Math.min(attempt * 50, 500);
}

function unreachable(url: string): Error {
  return new Error(`Redis not reachable at ${url}`);
}

/** A connected node-redis client; rejects at once when `url` does not answer. */
export async function nodeRedis(url = REDIS_URL) {
  let connected = false;
  const client = createClient({
    url,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (attempt) => {
        const delay = connected ? reconnectDelay(attempt + 1) : undefined;
        return delay ?? unreachable(url);
      },
    },
  });
  client.on('error', () => {});
  client.on('ready', () => {
    connected = true;
  });
  await client.connect().catch(() => {
    throw unreachable(url);
  });
  return client;
}

/** A connected ioredis client; rejects at once when `url` does not answer. */
export async function ioRedis(url = REDIS_URL): Promise<Redis> {
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => (connected ? (reconnectDelay(attempt) ?? null) : null),
  });
  client.on('error', () => {});
  client.on('ready', () => {
    connected = true;
  });
  await client.connect().catch(() => {
    throw unreachable(url);
  });
  return client;
}

/** The clients a Redis test file shares. */
export interface RedisClients {
  /** A node-redis client, for stores under test. */
  node: Awaited<ReturnType<typeof nodeRedis>>;
  /** An ioredis client, for stores under test. */
  io: Redis;
  /** An ioredis connection of its own, to inspect and delete keys beside the stores. */
  side: Redis;
  /**
   * A fresh {@link testPrefix} whose keys are deleted when the current test finishes, after
   * whatever the test started later (managers, harnesses) closed; the test fails if a key stays.
   * Call it inside a test.
   */
  scratchPrefix(label: string): string;
}

/**
 * Connects the clients a test file shares and closes them after its last test. Call it at the
 * top level of the file; rejects with "Redis not reachable at <url>" when Redis is missing.
 */
export async function redisClients(url = REDIS_URL): Promise<RedisClients> {
  const [node, io, side] = await Promise.all([nodeRedis(url), ioRedis(url), ioRedis(url)]);
  afterAll(async () => {
    await node.quit();
    io.disconnect();
    side.disconnect();
  });
  const scratchPrefix = (label: string): string => {
    const prefix = testPrefix(label);
    onTestFinished(async () => {
      await deleteKeys(side, prefix);
      expect(await keysUnder(side, prefix)).toEqual([]);
    });
    return prefix;
  };
  return { node, io, side, scratchPrefix };
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
