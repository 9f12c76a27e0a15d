/**
 * The fleet suite's memory figure: `count` sessions served round robin by 3 replicas
 * (initialize, initialized notification and one tool call, each on the next replica, so every
 * replica serves every session), then left idle with no stream open. Heap per replica after
 * forced GC, against a baseline taken after a warm-up; then the same after `trim()`; and the latency of a call that rebuilds a session's transport on
 * demand (replaying its stored initialize) against a call on a session the replica holds.
 *
 * `localIdleMs` is set above the run's length and, rather than waiting for it, the suite moves
 * the replicas' manager clocks past it (idle trimming reads that clock); the calls of the held
 * subject come after the move, so they are recent and kept.
 */
import { type Fleet, latencyFigures, MiB, type RoundSamples, startFleet, timed } from './fleet.js';
import { callTool, initialize, runBounded } from './mcp-client.js';
import { type BenchRow, medianOf } from './report.js';
import type { ServerStats } from './server-protocol.js';
import type { BenchSettings } from './settings.js';

const REPLICAS = 3;
const CONCURRENCY = 16;
const WARM_UP_SESSIONS = 300;
/** Longer than any run, so nothing is trimmed before the suite moves the clocks. */
const LOCAL_IDLE_MS = 10 * 60_000;
/** Sequential calls per subject and round of the latency figure. */
const CALLS_PER_ROUND = 100;
/** Sessions each replica keeps recent (the held subject). */
const HELD_PER_REPLICA = 50;

/** Tries of one session's requests: a busy machine can make Redis miss a command's timeout. */
const TRIES = 3;

/**
 * Session `k`: initialize on replica k, notification on k + 1, a tool call on k + 2. Tried
 * again from the start, as a client would, when a request fails (a 503 when Redis did not
 * answer in time); `retries` counts those.
 */
async function servedByAll(fleet: Fleet, k: number, retries: { count: number }): Promise<string> {
  const url = (step: number) => fleet.urls[(k + step) % REPLICAS]!;
  for (let attempt = 1; ; attempt++) {
    try {
      const sessionId = await initialize(url(0), { notifyUrl: url(1) });
      await callTool(url(2), sessionId);
      return sessionId;
    } catch (error) {
      if (attempt === TRIES) throw error;
      retries.count++;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** Heap per replica after forced GC (median of the replicas, each in the note). */
function heapRow(name: string, stats: ServerStats[], count: number): BenchRow {
  const { median, spread } = medianOf(stats.map((s) => MiB(s.heapUsed)));
  const each = stats.map((s) => `${MiB(s.heapUsed).toFixed(1)} MiB/${s.open} held`).join(', ');
  return {
    suite: 'fleet',
    name,
    unit: 'MiB',
    value: median,
    spread,
    note: `median of ${REPLICAS} replicas (${each}), ${count.toLocaleString('en-US')} sessions, no stream open`,
  };
}

/** Rows of heap per replica (before and after trim) and of the restore-on-demand latency. */
export async function heapRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const count = settings.fleetSessions;
  const needed = REPLICAS * HELD_PER_REPLICA + settings.rounds * CALLS_PER_ROUND;
  if (count < needed) {
    throw new Error(
      `fleet suite: --fleet-sessions must be at least ${needed} with --rounds ${settings.rounds}`,
    );
  }
  const fleet = await startFleet(REPLICAS, {
    redisUrl: settings.redisUrl,
    prefix,
    localIdleMs: LOCAL_IDLE_MS,
  });
  try {
    const { replicas, urls } = fleet;
    const retries = { count: 0 };
    await runBounded(WARM_UP_SESSIONS, CONCURRENCY, (k) =>
      servedByAll(fleet, k, retries).then(() => {}),
    );
    const baseline = await Promise.all(replicas.map((r) => r.stats()));
    const ids: string[] = new Array(count);
    const seconds = await runBounded(count, CONCURRENCY, async (k) => {
      ids[k] = await servedByAll(fleet, k, retries);
    });
    console.error(
      `bench:   fleet heap: ${count} sessions served in ${seconds.toFixed(1)} s, ${retries.count} tried again`,
    );
    const idle = await Promise.all(replicas.map((r) => r.stats()));
    const growth = medianOf(idle.map((s, i) => s.heapUsed - baseline[i]!.heapUsed));
    const rows: BenchRow[] = [
      heapRow('heap per replica, baseline after warm-up', baseline, WARM_UP_SESSIONS),
      heapRow('heap per replica, every session seen by every replica, idle', idle, count),
      {
        suite: 'fleet',
        name: 'heap growth per session per replica, before trim',
        unit: 'KiB',
        value: growth.median / count / 1024,
        spread: growth.spread,
        note: `median over replicas of (idle - baseline) / sessions; ${retries.count} sessions tried again after a failed request (the failed try's transport may stay held)`,
      },
    ];

    // Each replica calls its held sessions after the clock move (so they are recent), then
    // trims; the restore subject calls, on each replica, sessions it let go of.
    const held = urls.map((_, r) => ids.slice(r * HELD_PER_REPLICA, (r + 1) * HELD_PER_REPLICA));
    await Promise.all(replicas.map((r) => r.advanceClock(LOCAL_IDLE_MS + 1000)));
    for (const [r, sessions] of held.entries()) {
      for (const sessionId of sessions) await callTool(urls[r]!, sessionId);
    }
    const trimmed = await Promise.all(replicas.map((r) => r.trim()));
    const after = await Promise.all(replicas.map((r) => r.stats()));
    const kept = heapRow('heap per replica after trim()', after, count);
    kept.note += `; trim() let go of ${trimmed.map((t) => t.before - t.after).join(', ')}`;
    rows.push(kept);
    const first = REPLICAS * HELD_PER_REPLICA;
    const restore = ids
      .slice(first, first + settings.rounds * CALLS_PER_ROUND)
      .map((sessionId, j) => ({ replica: j % REPLICAS, sessionId }));

    const samples = { restore: [] as RoundSamples, held: [] as RoundSamples };
    for (let round = 0; round < settings.rounds; round++) {
      const restored: number[] = [];
      for (let j = 0; j < CALLS_PER_ROUND; j++) {
        const target = restore[round * CALLS_PER_ROUND + j]!;
        restored.push(await timed(() => callTool(urls[target.replica]!, target.sessionId)));
      }
      const local: number[] = [];
      for (let j = 0; j < CALLS_PER_ROUND; j++) {
        const r = j % REPLICAS;
        const sessionId = held[r]![Math.floor(j / REPLICAS) % HELD_PER_REPLICA]!;
        local.push(await timed(() => callTool(urls[r]!, sessionId)));
      }
      samples.restore.push(restored);
      samples.held.push(local);
    }
    const note = `${CALLS_PER_ROUND} sequential calls x ${settings.rounds} rounds alternated, percentiles of all rounds pooled`;
    const subjects = [
      ['restore', 'tool call on a session whose transport trim() let go (rebuilt on demand)'],
      ['held', 'tool call on a session the replica holds'],
    ] as const;
    for (const [key, label] of subjects) {
      const f = latencyFigures(samples[key]);
      rows.push(
        { suite: 'fleet', name: `${label} p50`, unit: 'ms', value: f.p50, spread: f.spread, note },
        { suite: 'fleet', name: `${label} p99`, unit: 'ms', value: f.p99, note },
      );
    }
    const r = latencyFigures(samples.restore).roundP50s;
    const h = latencyFigures(samples.held).roundP50s;
    const ratio = medianOf(r.map((value, i) => value / h[i]!));
    rows.push({
      suite: 'fleet',
      name: 'restore-on-demand p50 ratio, rebuilt / held',
      unit: 'x',
      value: ratio.median,
      spread: ratio.spread,
      note: 'median of per-round ratios',
    });
    return rows;
  } finally {
    await fleet.stop();
  }
}
