/**
 * Touches per second through RedisStore alone, for node-redis and ioredis: sequential (one
 * touch in flight, so one round trip each) and concurrent (many in flight, pipelined by the
 * client). Median of several runs.
 *
 *   npx tsx bench/redis-store.ts            (REDIS_URL, default redis://127.0.0.1:6379)
 */
import { randomUUID } from 'node:crypto';
import { register } from 'node:module';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { StorePolicy } from '../src/index.js';
import type { RedisStore as RedisStoreType } from '../src/stores/redis/index.js';

// tsx has no text loader for the store's `.lua` files (tsup and vitest do): add one.
const luaAsText = `
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (!url.endsWith('.lua')) return next(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return { format: 'module', source: 'export default ' + JSON.stringify(text), shortCircuit: true };
}`;
register(`data:text/javascript,${encodeURIComponent(luaAsText)}`);
const { RedisStore } = await import('../src/stores/redis/index.js');
type RedisStore = RedisStoreType;

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SESSIONS = 1000;
const RUNS = 5;
const SEQUENTIAL_OPS = 5000;
const CONCURRENT_OPS = 50_000;
const IN_FLIGHT = 256;

const policy: StorePolicy = Object.freeze({
  idleTtlMs: 30 * 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 24 * 3_600_000,
  maxTombstones: 100_000,
  maxSessions: Infinity,
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function sequential(store: RedisStore, ids: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < SEQUENTIAL_OPS; i++)
    await store.touch(ids[i % ids.length]!, Date.now(), policy);
  return SEQUENTIAL_OPS / ((performance.now() - started) / 1000);
}

async function concurrent(store: RedisStore, ids: string[]): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < CONCURRENT_OPS) {
      const i = next++;
      await store.touch(ids[i % ids.length]!, Date.now(), policy);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return CONCURRENT_OPS / ((performance.now() - started) / 1000);
}

async function measure(
  name: string,
  client: ConstructorParameters<typeof RedisStore>[0]['client'],
) {
  const prefix = `mcps-bench:{${randomUUID()}}:`;
  const store = new RedisStore({ client, prefix });
  const ids = Array.from({ length: SESSIONS }, (_, i) => `bench-${i}`);
  await Promise.all(ids.map((id) => store.create({ id, createdAt: Date.now() }, policy)));
  await sequential(store, ids); // warm-up: scripts loaded, JIT warm
  const seq: number[] = [];
  const conc: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    seq.push(await sequential(store, ids));
    conc.push(await concurrent(store, ids));
  }
  return { name, prefix, sequential: median(seq), concurrent: median(conc) };
}

async function cleanup(io: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [nextCursor, keys] = await io.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) await io.del(...keys);
  } while (cursor !== '0');
}

const node = await createClient({ url: REDIS_URL }).connect();
const io = new Redis(REDIS_URL);
try {
  const results = [await measure('node-redis', node), await measure('ioredis', io)];
  console.log(
    `RedisStore.touch, ${SESSIONS} sessions, median of ${RUNS} runs (${REDIS_URL}, Node ${process.version})`,
  );
  console.table(
    results.map((r) => ({
      client: r.name,
      'sequential touches/s': Math.round(r.sequential),
      [`concurrent (${IN_FLIGHT} in flight) touches/s`]: Math.round(r.concurrent),
    })),
  );
  for (const r of results) await cleanup(io, r.prefix);
} finally {
  await node.quit();
  io.disconnect();
}
