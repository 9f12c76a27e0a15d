/**
 * scale suite: heap per idle session, SDK server and transport included, at 10 000 sessions
 * (heap delta after garbage collection / count, in the server process), for the handler and for
 * the bare SDK wiring, so users can size their machines.
 */
import { startServer } from './lib/children.js';
import { initialize, runBounded } from './lib/mcp-client.js';
import type { BenchRow } from './lib/report.js';
import type { ServerKind } from './lib/server-protocol.js';
import type { BenchSettings } from './lib/settings.js';
import { LABELS } from './lib/wirings.js';

const CONCURRENCY = 16;
const WARM_UP_SESSIONS = 200;

async function bytesPerSession(kind: ServerKind, count: number): Promise<number> {
  const server = await startServer({ kind });
  try {
    await runBounded(WARM_UP_SESSIONS, CONCURRENCY, () => initialize(server.url).then(() => {}));
    const before = await server.stats();
    await runBounded(count, CONCURRENCY, () => initialize(server.url).then(() => {}));
    const after = await server.stats();
    const held = after.open - before.open;
    if (held !== count) throw new Error(`scale: ${held} sessions open, expected ${count}`);
    return (after.heapUsed - before.heapUsed) / count;
  } finally {
    await server.stop();
  }
}

/** Runs the scale suite at `settings.scaleSessions` sessions (default 10 000). */
export async function runScale(settings: BenchSettings): Promise<BenchRow[]> {
  const count = settings.scaleSessions;
  const rows: BenchRow[] = [];
  for (const kind of ['memory', 'bare'] as const) {
    const bytes = await bytesPerSession(kind, count);
    rows.push({
      suite: 'scale',
      name: `heap per idle session with its SDK server and transport, ${LABELS[kind]}`,
      unit: 'KiB',
      value: bytes / 1024,
      note: `${count.toLocaleString('en-US')} sessions`,
    });
  }
  return rows;
}
