/**
 * redis suite: the http suite's tool-call load through the handler on a `RedisStore`
 * (node-redis) against the memory store, in one run; Redis commands per request, counted with
 * MONITOR, with and without the GET stream an SDK client holds; and `RedisStore.touch` alone,
 * one at a time and many in flight (pipelined by the client), for node-redis and ioredis.
 *
 * Every key lives under a prefix of its own (`mcps-bench:{<uuid>}:`), deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { StorePolicy } from '../src/stores/index.js';
import { type RedisClientLike, RedisStore } from '../src/stores/redis/index.js';
import { startServer } from './lib/children.js';
import { callTool, initialize, openStream, runBounded } from './lib/mcp-client.js';
import { commandLabel, deleteKeys, describeCounts, totalCount } from './lib/redis-commands.js';
import { monitorCommands } from './lib/redis-monitor.js';
import { type BenchRow, medianOf } from './lib/report.js';
import type { BenchSettings } from './lib/settings.js';
import { alternate, loadRows, throughputRound } from './lib/wirings.js';

const COUNTED_REQUESTS = 1000;
const COUNTED_SESSIONS = 8;
const STORE_SESSIONS = 1000;
const STORE_RUNS = 5;
const SEQUENTIAL_TOUCHES = 5000;
const PIPELINED_TOUCHES = 50_000;
const IN_FLIGHT = 256;

/**
 * Server CPU per call, memory store / Redis store: a Redis round trip per call (node-redis
 * encoding the command and parsing the reply) may cost at most about 18 % more server CPU
 * (1 / 0.85).
 */
const REDIS_CPU_TARGET = 0.85;

const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 30 * 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 24 * 3_600_000,
  maxTombstones: 100_000,
  maxSessions: Infinity,
});

/** Commands per tool call, with a GET stream held per session and without. */
async function roundTripRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const server = await startServer({ kind: 'redis', redisUrl: settings.redisUrl, prefix });
  const counter = await monitorCommands(settings.redisUrl, prefix, commandLabel);
  try {
    const ids = await Promise.all(
      Array.from({ length: COUNTED_SESSIONS }, () => initialize(server.url)),
    );
    const calls = () =>
      runBounded(COUNTED_REQUESTS, COUNTED_SESSIONS, (i) =>
        callTool(server.url, ids[i % COUNTED_SESSIONS]!),
      ).then(() => undefined);
    await calls(); // warm-up: scripts cached in Redis, code paths compiled

    const streams = await Promise.all(ids.map((id) => openStream(server.url, id)));
    const withStream = await counter.count(calls);
    await Promise.all(streams.map((stream) => stream.close()));
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the streams' releases land
    const without = await counter.count(calls);

    const perRequest = (counts: Map<string, number>) => totalCount(counts) / COUNTED_REQUESTS;
    const held = perRequest(withStream);
    return [
      {
        suite: 'redis',
        name: 'Redis commands per tool call, GET stream held (SDK client)',
        unit: 'commands',
        value: held,
        target: '= 1',
        verdict: held === 1 ? 'PASS' : 'MISS',
        note: `${COUNTED_REQUESTS} calls counted with MONITOR: ${describeCounts(withStream, COUNTED_REQUESTS)}`,
      },
      {
        suite: 'redis',
        name: 'Redis commands per tool call, no GET stream',
        unit: 'commands',
        value: perRequest(without),
        note: `acquire + release: ${describeCounts(without, COUNTED_REQUESTS)}`,
      },
    ];
  } finally {
    counter.close();
    await server.stop();
  }
}

async function sequentialTouches(store: RedisStore, ids: string[]): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < SEQUENTIAL_TOUCHES; i++) {
    await store.touch(ids[i % ids.length]!, Date.now(), POLICY);
  }
  return SEQUENTIAL_TOUCHES / ((performance.now() - started) / 1000);
}

async function pipelinedTouches(store: RedisStore, ids: string[]): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < PIPELINED_TOUCHES) {
      const i = next++;
      await store.touch(ids[i % ids.length]!, Date.now(), POLICY);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return PIPELINED_TOUCHES / ((performance.now() - started) / 1000);
}

/** `RedisStore.touch` alone: medians of several runs, per client library. */
async function storeRows(
  clients: { name: string; client: RedisClientLike }[],
  prefix: string,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { name, client } of clients) {
    const store = new RedisStore({ client, prefix: `${prefix}${name}:` });
    const ids = Array.from({ length: STORE_SESSIONS }, (_, i) => `bench-${i}`);
    await Promise.all(ids.map((id) => store.create({ id, createdAt: Date.now() }, POLICY)));
    await sequentialTouches(store, ids);
    const sequential: number[] = [];
    const pipelined: number[] = [];
    for (let run = 0; run < STORE_RUNS; run++) {
      sequential.push(await sequentialTouches(store, ids));
      pipelined.push(await pipelinedTouches(store, ids));
    }
    const seq = medianOf(sequential);
    const pipe = medianOf(pipelined);
    rows.push(
      {
        suite: 'redis',
        name: `RedisStore.touch, ${name}, one at a time`,
        unit: 'ops/s',
        value: seq.median,
        spread: seq.spread,
        note: `${SEQUENTIAL_TOUCHES} x ${STORE_RUNS}`,
      },
      {
        suite: 'redis',
        name: `RedisStore.touch, ${name}, ${IN_FLIGHT} in flight (pipelined)`,
        unit: 'ops/s',
        value: pipe.median,
        spread: pipe.spread,
        note: `${PIPELINED_TOUCHES} x ${STORE_RUNS}`,
      },
    );
  }
  return rows;
}

/** Runs the redis suite against `settings.redisUrl`; fails when Redis is unreachable. */
export async function runRedis(settings: BenchSettings): Promise<BenchRow[]> {
  const prefix = `mcps-bench:{${randomUUID()}}:`;
  const io = new Redis(settings.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  io.on('error', () => {}); // a failed connect rejects below
  await io.connect().catch((error: unknown) => {
    throw new Error(
      `redis suite: cannot reach Redis at ${settings.redisUrl} (set REDIS_URL): ${String(error)}`,
    );
  });
  const node = await createClient({ url: settings.redisUrl }).connect();
  try {
    const load = await alternate(['memory', 'redis'], settings.rounds, (kind) =>
      throughputRound({ kind, redisUrl: settings.redisUrl, prefix }, settings),
    );
    const rows = loadRows('redis', load, 'memory', 'redis', REDIS_CPU_TARGET);
    for (const row of rows) {
      row.note ??= `${settings.connections} connections, ${settings.duration} s x ${settings.rounds}`;
    }
    rows.push(...(await roundTripRows(settings, prefix)));
    rows.push(
      ...(await storeRows(
        [
          { name: 'node-redis', client: node },
          { name: 'ioredis', client: io },
        ],
        prefix,
      )),
    );
    return rows;
  } finally {
    await deleteKeys(io, prefix);
    await node.quit();
    io.disconnect();
  }
}
