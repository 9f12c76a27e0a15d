/**
 * fleet suite: replicas of the Streamable HTTP handler sharing one Redis store (same prefix),
 * each in its own process (server kind `fleet`), reached by a client-side round robin with no
 * sticky routing, as behind a round-robin load balancer:
 *
 * 1. Redis commands per tool call on a session whose GET stream is open (MONITOR);
 * 2. an elicitation round trip whose answer lands on the other replica, against one replica
 *    (`./lib/fleet-elicit.ts`);
 * 3. 3 replicas against 1, same client load (`./lib/fleet-throughput.ts`);
 * 4. heap per replica with many idle sessions, before and after `trim()`, and the latency of a
 *    call that rebuilds a session's transport (`./lib/fleet-heap.ts`).
 *
 * Every replica has a `RedisRelay` and idle trimming. Keys live under a fresh prefix, deleted
 * at the end.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startFleet } from './lib/fleet.js';
import { elicitRows } from './lib/fleet-elicit.js';
import { heapRows } from './lib/fleet-heap.js';
import { scaleOutRows } from './lib/fleet-throughput.js';
import { callTool, initialize, openStream, runBounded } from './lib/mcp-client.js';
import { commandLabel, deleteKeys, describeCounts, totalCount } from './lib/redis-commands.js';
import { monitorCommands } from './lib/redis-monitor.js';
import type { BenchRow } from './lib/report.js';
import type { BenchSettings } from './lib/settings.js';

const COUNTED_CALLS = 200;
/**
 * Commands on timers rather than calls: the relay's stream-hold renewal (every third of its
 * hold TTL) and the sweeper's claim. A window may catch one; they are reported beside the
 * per-call figure, not in it.
 */
const PERIODIC: ReadonlySet<string> = new Set(['renewHolds script', 'claim script']);

/** Commands per call (periodic ones left out) and a description of everything counted. */
function perCall(counts: Map<string, number>): { value: number; note: string } {
  const caused = new Map([...counts].filter(([label]) => !PERIODIC.has(label)));
  const periodic = [...counts].filter(([label]) => PERIODIC.has(label));
  const timers =
    periodic.length === 0
      ? 'no periodic command in the window'
      : `periodic, not per call: ${periodic.map(([label, n]) => `${label} ${n}`).join(', ')}`;
  return {
    value: totalCount(caused) / COUNTED_CALLS,
    note: `${COUNTED_CALLS} calls counted with MONITOR: ${describeCounts(caused, COUNTED_CALLS)}; ${timers}`,
  };
}
const COUNTED_SESSIONS = 8;

/**
 * Commands per tool call with the session's GET stream open: on the replica holding the stream
 * (target exactly 1: the touch; the stream's pin covers the call) and, for information, on the
 * other replica.
 */
async function commandRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const fleet = await startFleet(2, { redisUrl: settings.redisUrl, prefix });
  const counter = await monitorCommands(settings.redisUrl, prefix, commandLabel);
  const streams: { close(): Promise<void> }[] = [];
  try {
    const [holder, other] = fleet.urls as [string, string];
    const ids = await Promise.all(
      Array.from({ length: COUNTED_SESSIONS }, () => initialize(holder)),
    );
    for (const id of ids) streams.push(await openStream(holder, id));
    const calls = (url: string) => () =>
      runBounded(COUNTED_CALLS, COUNTED_SESSIONS, (i) =>
        callTool(url, ids[i % COUNTED_SESSIONS]!),
      ).then(() => undefined);
    // Warm-up: scripts cached in Redis, code paths compiled, transports built on both replicas.
    await calls(holder)();
    await calls(other)();
    const onHolder = await counter.count(calls(holder));
    const onOther = await counter.count(calls(other));
    const held = perCall(onHolder);
    const elsewhere = perCall(onOther);
    return [
      {
        suite: 'fleet',
        name: 'Redis commands per tool call, GET stream open on the replica serving the call',
        unit: 'commands',
        value: held.value,
        target: '= 1',
        verdict: held.value === 1 ? 'PASS' : 'MISS',
        note: held.note,
      },
      {
        suite: 'fleet',
        name: 'Redis commands per tool call, GET stream open on another replica',
        unit: 'commands',
        value: elsewhere.value,
        note: elsewhere.note,
      },
    ];
  } finally {
    await Promise.all(streams.map((stream) => stream.close()));
    counter.close();
    await fleet.stop();
  }
}

/** Runs the fleet suite against `settings.redisUrl`; fails when Redis is unreachable. */
export async function runFleet(settings: BenchSettings): Promise<BenchRow[]> {
  const prefix = `mcps-bench:{${randomUUID()}}:`;
  const io = new Redis(settings.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  io.on('error', () => {}); // a failed connect rejects below
  await io.connect().catch((error: unknown) => {
    throw new Error(
      `fleet suite: cannot reach Redis at ${settings.redisUrl} (set REDIS_URL): ${String(error)}`,
    );
  });
  try {
    const rows: BenchRow[] = [];
    const figure = async (name: string, run: () => Promise<BenchRow[]>) => {
      const started = Date.now();
      rows.push(...(await run()));
      console.error(
        `bench:   fleet ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    };
    await figure('commands', () => commandRows(settings, `${prefix}commands:`));
    await figure('elicit', () => elicitRows(settings, `${prefix}elicit:`));
    await figure('scale-out', () => scaleOutRows(settings, `${prefix}scale:`));
    await figure('heap', () => heapRows(settings, `${prefix}heap:`));
    return rows;
  } finally {
    await deleteKeys(io, prefix);
    io.disconnect();
  }
}
