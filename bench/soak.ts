/**
 * soak suite: creates and ends many sessions through the handler with real SDK transports and
 * servers (initialize over HTTP, then DELETE; 16 in flight, on 127.0.0.1), forces garbage
 * collection in the server process, and checks that nothing outlived its session: transports
 * still open, servers and transports never closed, or still reachable after collection, and
 * heap growth against a baseline taken after a warm-up.
 *
 * Tombstones are bounded by design (`maxTombstones`); the soak caps them at 1000 and fills the
 * cap during the warm-up, so the heap figure measures leaks, not the tombstone table.
 */
import { startServer } from './lib/children.js';
import { deleteSession, initialize, runBounded } from './lib/mcp-client.js';
import { type BenchRow, judge } from './lib/report.js';
import type { ServerStats } from './lib/server-protocol.js';
import type { BenchSettings } from './lib/settings.js';

const CONCURRENCY = 16;
const MAX_TOMBSTONES = 1000;
const WARM_UP_SESSIONS = 2000;
const HEAP_SLACK_BYTES = 5 * 2 ** 20;

const MiB = (bytes: number) => bytes / 2 ** 20;

/** Runs the soak suite: `settings.soakSessions` sessions (default 100 000). */
export async function runSoak(settings: BenchSettings): Promise<BenchRow[]> {
  const count = settings.soakSessions;
  const server = await startServer({ kind: 'memory', maxTombstones: MAX_TOMBSTONES });
  const cycle = async () => deleteSession(server.url, await initialize(server.url));
  let baseline: ServerStats;
  let after: ServerStats;
  let seconds: number;
  try {
    await runBounded(WARM_UP_SESSIONS, CONCURRENCY, cycle);
    baseline = await server.stats();
    const step = Math.max(1, Math.floor(count / 10));
    seconds = 0;
    for (let done = 0; done < count; done += step) {
      const batch = Math.min(step, count - done);
      seconds += await runBounded(batch, CONCURRENCY, cycle);
      console.error(
        `bench:   soak ${(done + batch).toLocaleString('en-US')} / ${count.toLocaleString('en-US')} sessions, ${seconds.toFixed(1)} s`,
      );
    }
    after = await server.stats();
  } finally {
    await server.stop();
  }
  const opened = after.created.servers - baseline.created.servers;
  if (opened !== count) throw new Error(`soak: ${opened} servers built for ${count} sessions`);
  const open = after.open;
  const unclosedServers = after.created.servers - after.closed.servers;
  const unclosedTransports = after.created.transports - after.closed.transports;
  const reachable = after.alive.servers + after.alive.transports;
  const growth = after.heapUsed - baseline.heapUsed;
  const note = `${count.toLocaleString('en-US')} sessions`;
  console.error(
    `bench:   soak heap baseline ${MiB(baseline.heapUsed).toFixed(2)} MiB, after ${MiB(after.heapUsed).toFixed(2)} MiB; open ${open}, unclosed servers ${unclosedServers}, unclosed transports ${unclosedTransports}, reachable after GC ${reachable}`,
  );
  return [
    {
      suite: 'soak',
      name: 'sessions created and ended (initialize + DELETE)',
      unit: 'sessions/s',
      value: count / seconds,
      note: `${note} in ${seconds.toFixed(0)} s, ${CONCURRENCY} in flight`,
    },
    {
      suite: 'soak',
      name: 'transports still open (handler.size)',
      unit: 'objects',
      value: open,
      note,
      ...judge(open, '<=', 0),
    },
    {
      suite: 'soak',
      name: 'servers and transports never closed',
      unit: 'objects',
      value: unclosedServers + unclosedTransports,
      note: `${after.created.servers.toLocaleString('en-US')} servers, ${after.created.transports.toLocaleString('en-US')} transports built`,
      ...judge(unclosedServers + unclosedTransports, '<=', 0),
    },
    {
      suite: 'soak',
      name: 'servers and transports reachable after GC',
      unit: 'objects',
      value: reachable,
      note: 'FinalizationRegistry',
      ...judge(reachable, '<=', 0),
    },
    {
      suite: 'soak',
      name: 'heap before (after warm-up, GC)',
      unit: 'MiB',
      value: MiB(baseline.heapUsed),
    },
    {
      suite: 'soak',
      name: 'heap after (GC)',
      unit: 'MiB',
      value: MiB(after.heapUsed),
    },
    {
      suite: 'soak',
      name: 'heap growth',
      unit: 'MiB',
      value: MiB(growth),
      ...judge(MiB(Math.abs(growth)), '<=', MiB(HEAP_SLACK_BYTES)),
      target: 'within ±5',
    },
  ];
}
