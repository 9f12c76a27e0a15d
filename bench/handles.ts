/**
 * handles suite: what a state handle costs a tool call. Redis commands per call (counted with
 * MONITOR, see `./lib/redis-monitor.ts`) for a call that pins its handle and releases it, and
 * for one that also updates it; then tool calls per second over HTTP (an SDK v2
 * `createMcpHandler` endpoint in a child process, see `./handles-server.ts`) with a handle on
 * the memory store and on Redis against the same tool without one, subjects alternating round
 * by round (each round starting with the next subject), medians and paired ratios from one run;
 * and the same tool callbacks called in process, without HTTP or the SDK, where the handle's
 * own cost is not hidden by the per-request server.
 *
 * Every key lives under a prefix of its own (`mcps-bench:{<uuid>}:`), deleted at the end.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { HandleKind, withHandle } from '../src/handles/index.js';
import { RedisStore } from '../src/stores/redis/index.js';
import { pairedRatio, type SubjectFigures } from './lib/interleave.js';
import { POST_HEADERS } from './lib/mcp-client.js';
import { commandLabel, deleteKeys, describeCounts, totalCount } from './lib/redis-commands.js';
import { monitorCommands } from './lib/redis-monitor.js';
import { type BenchRow, medianOf } from './lib/report.js';
import type { BenchSettings } from './lib/settings.js';

const COUNTED_CALLS = 1000;
const IN_PROCESS_CALLS = 5000;
const IN_PROCESS_ROUNDS = 5;
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body: string;
}) => PromiseLike<{ duration: number; errors: number; non2xx: number; '2xx': number }>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Redis commands per call of a pinned view, a pinned view with an update, and an update alone. */
async function commandRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const client = await createClient({ url: settings.redisUrl }).connect();
  const kind = new HandleKind<string[]>({
    name: 'basket',
    prefix: 'bsk',
    store: new RedisStore({ client, prefix: `${prefix}counted:` }),
  });
  const counter = await monitorCommands(settings.redisUrl, prefix, commandLabel);
  try {
    const { id } = await kind.create(undefined, []);
    const view = withHandle(kind, (_args: { basket_id: string }, call) => ({
      content: [{ type: 'text', text: String(call.handle.data.length) }],
    }));
    const add = withHandle(kind, async (_args: { basket_id: string }, call) => {
      await call.update((items) => (items.length > 50 ? [] : [...items, 'x']));
      return { content: [{ type: 'text', text: 'added' }] };
    });
    const repeat = (run: () => Promise<unknown>) => async () => {
      for (let i = 0; i < COUNTED_CALLS; i++) await run();
    };
    const subjects: [string, () => Promise<unknown>][] = [
      ['tool call with a handle (resolve, pin, release)', () => view({ basket_id: id }, {})],
      ['tool call with a handle and an update', () => add({ basket_id: id }, {})],
      ['HandleKind.update alone', () => kind.update(id, undefined, (items) => items.slice(-10))],
    ];
    const rows: BenchRow[] = [];
    for (const [name, run] of subjects) {
      await repeat(run)(); // warm-up: scripts cached in Redis
      const counts = await counter.count(repeat(run));
      rows.push({
        suite: 'handles',
        name: `Redis commands per ${name}`,
        unit: 'commands',
        value: totalCount(counts) / COUNTED_CALLS,
        note: `${COUNTED_CALLS} calls counted with MONITOR: ${describeCounts(counts, COUNTED_CALLS)}`,
      });
    }
    return rows;
  } finally {
    counter.close();
    await kind.close();
    await client.quit();
  }
}

interface HandleServer {
  readonly url: string;
  readonly memory: string;
  readonly redis: string;
  stop(): Promise<void>;
}

async function startHandleServer(settings: BenchSettings, prefix: string): Promise<HandleServer> {
  const child: ChildProcess = fork(
    join(here, 'handles-server.ts'),
    [JSON.stringify({ redisUrl: settings.redisUrl, prefix })],
    {
      cwd: root,
      execArgv: [
        '--import',
        'tsx',
        '--import',
        pathToFileURL(join(root, 'scripts', 'lua-loader.mjs')).href,
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const ready = await new Promise<{ port: number; memory: string; redis: string }>(
    (resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number; memory: string; redis: string }));
      child.once('exit', (code) => reject(new Error(`handles server exited with ${code}`)));
    },
  );
  return {
    url: `http://127.0.0.1:${ready.port}/mcp`,
    memory: ready.memory,
    redis: ready.redis,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

function callBody(tool: string, handle: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: tool, arguments: { basket_id: handle } },
  });
}

/** 2xx answers per second of one load run. */
async function load(url: string, body: string, seconds: number, connections: number) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { ...POST_HEADERS, 'mcp-protocol-version': '2025-06-18' },
    body,
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`handles load: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  }
  return result['2xx'] / result.duration;
}

/** Tool calls per second with and without a handle, alternating round by round. */
async function throughputRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const server = await startHandleServer(settings, prefix);
  try {
    const subjects = {
      'no handle': callBody('view_plain', server.memory),
      'handle, memory store': callBody('view_basket', server.memory),
      'handle, Redis store': callBody('view_basket_redis', server.redis),
    };
    const names = Object.keys(subjects) as (keyof typeof subjects)[];
    for (const name of names) {
      await load(server.url, subjects[name], settings.warmup, settings.connections);
    }
    const samples = new Map(names.map((name) => [name, [] as number[]]));
    for (let round = 0; round < settings.rounds; round++) {
      // Each round starts with the next subject, so no subject always runs first or last.
      const order = names.map((_, i) => names[(i + round) % names.length]!);
      for (const name of order) {
        const rps = await load(server.url, subjects[name], settings.duration, settings.connections);
        samples.get(name)!.push(rps);
      }
    }
    const figures = Object.fromEntries(
      names.map((name) => [name, { ...medianOf(samples.get(name)!), samples: samples.get(name)! }]),
    ) as Record<keyof typeof subjects, SubjectFigures>;
    const note = `${settings.connections} connections, ${settings.duration} s x ${settings.rounds}, alternating`;
    const rows: BenchRow[] = names.map((name) => ({
      suite: 'handles',
      name: `Tool calls per second, ${name} (v2 createMcpHandler, stateless)`,
      unit: 'req/s',
      value: figures[name].median,
      spread: figures[name].spread,
      note,
    }));
    for (const name of ['handle, memory store', 'handle, Redis store'] as const) {
      const ratio = pairedRatio(figures[name], figures['no handle']);
      rows.push({
        suite: 'handles',
        name: `Throughput ratio, ${name} / no handle`,
        unit: 'ratio',
        value: ratio.median,
        spread: ratio.spread,
        note: 'median of per-round ratios',
      });
    }
    return rows;
  } finally {
    await server.stop();
  }
}

/** Calls of `run` per second, `IN_PROCESS_CALLS` of them one at a time. */
async function callsPerSecond(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < IN_PROCESS_CALLS; i++) await run();
  return IN_PROCESS_CALLS / ((performance.now() - started) / 1000);
}

/** The tool callbacks alone, in process: no handle, a handle in memory, a handle in Redis. */
async function inProcessRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const client = await createClient({ url: settings.redisUrl }).connect();
  const memory = new HandleKind<string[]>({ name: 'basket', prefix: 'bsk' });
  const redis = new HandleKind<string[]>({
    name: 'basket',
    prefix: 'bsk',
    store: new RedisStore({ client, prefix: `${prefix}in-process:` }),
  });
  try {
    const items = ['apple', 'pear', 'plum'];
    const answer = (data: readonly string[]) => ({
      content: [{ type: 'text' as const, text: data.join('\n') }],
    });
    const plain = async (_args: { basket_id: string }, _extra: unknown) => answer(items);
    const viewOf = (kind: HandleKind<string[]>) =>
      withHandle(kind, (_args: { basket_id: string }, call) => answer(call.handle.data));
    const [inMemory, inRedis] = await Promise.all([
      memory.create(undefined, items),
      redis.create(undefined, items),
    ]);
    const subjects: Record<string, () => Promise<unknown>> = {
      'no handle': () => plain({ basket_id: inMemory.id }, {}),
      'handle, memory store': () => viewOf(memory)({ basket_id: inMemory.id }, {}),
      'handle, Redis store': () => viewOf(redis)({ basket_id: inRedis.id }, {}),
    };
    const names = Object.keys(subjects);
    for (const name of names) await callsPerSecond(subjects[name]!);
    const samples = new Map(names.map((name) => [name, [] as number[]]));
    for (let round = 0; round < IN_PROCESS_ROUNDS; round++) {
      for (const name of names.map((_, i) => names[(i + round) % names.length]!)) {
        samples.get(name)!.push(await callsPerSecond(subjects[name]!));
      }
    }
    return names.map((name) => {
      const { median, spread } = medianOf(samples.get(name)!);
      return {
        suite: 'handles',
        name: `Tool callback calls per second in process, ${name}`,
        unit: 'calls/s',
        value: median,
        spread,
        note: `${IN_PROCESS_CALLS} sequential calls x ${IN_PROCESS_ROUNDS}, alternating`,
      };
    });
  } finally {
    await Promise.all([memory.close(), redis.close()]);
    await client.quit();
  }
}

/** Runs the handles suite against `settings.redisUrl`; fails when Redis is unreachable. */
export async function runHandles(settings: BenchSettings): Promise<BenchRow[]> {
  const prefix = `mcps-bench:{${randomUUID()}}:`;
  const io = new Redis(settings.redisUrl, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    return [
      ...(await commandRows(settings, prefix)),
      ...(await inProcessRows(settings, prefix)),
      ...(await throughputRows(settings, prefix)),
    ];
  } finally {
    await deleteKeys(io, prefix);
    io.disconnect();
  }
}
