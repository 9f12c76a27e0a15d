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
 * The relay and trimming are used when the library has them; figures that need a missing one
 * are reported as not measured. Keys live under a fresh prefix, deleted at the end.
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
    const relay = fleet.features.relay ? 'with RedisRelay' : 'no relay in this build';
    const perCall = (counts: Map<string, number>) => totalCount(counts) / COUNTED_CALLS;
    const held = perCall(onHolder);
    return [
      {
        suite: 'fleet',
        name: 'Redis commands per tool call, GET stream open on the replica serving the call',
        unit: 'commands',
        value: held,
        target: '= 1',
        verdict: held === 1 ? 'PASS' : 'MISS',
        note: `${relay}, ${COUNTED_CALLS} calls counted with MONITOR: ${describeCounts(onHolder, COUNTED_CALLS)}`,
      },
      {
        suite: 'fleet',
        name: 'Redis commands per tool call, GET stream open on another replica',
        unit: 'commands',
        value: perCall(onOther),
        note: `${relay}: ${describeCounts(onOther, COUNTED_CALLS)}`,
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
