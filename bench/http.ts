/**
 * http suite: a tool call through the complete Streamable HTTP handler against the SDK's own
 * example wiring (a bare `Map` of transports, no TTL): same server code, same machine, one run,
 * each server in its own process so the load generator does not share its event loop. Then the
 * cost of a new session (initialize + first call) in each.
 */
import { type BenchRow, medianOf } from './lib/report.js';
import type { BenchSettings } from './lib/settings.js';
import { alternate, creationRound, LABELS, loadRows, throughputRound } from './lib/wirings.js';

/** Runs the http suite. */
export async function runHttp(settings: BenchSettings): Promise<BenchRow[]> {
  const kinds = ['bare', 'memory'] as const;
  const load = await alternate(kinds, settings.rounds, (kind) =>
    throughputRound({ kind }, settings),
  );
  const rows = loadRows('http', load, 'bare', 'memory', 0.95, 1.05);
  for (const row of rows)
    row.note ??= `${settings.connections} connections, ${settings.duration} s x ${settings.rounds}`;

  const created = await alternate(kinds, settings.rounds, (kind) =>
    creationRound({ kind }, settings.createSessions),
  );
  const perKind = new Map(kinds.map((kind) => [kind, medianOf(created.get(kind)!)]));
  for (const kind of kinds) {
    const { median, spread } = perKind.get(kind)!;
    rows.push({
      suite: 'http',
      name: `new sessions (initialize + first call), ${LABELS[kind]}`,
      unit: 'sessions/s',
      value: median,
      spread,
      note: `${settings.createSessions} sessions, 16 in flight`,
    });
  }
  rows.push({
    suite: 'http',
    name: 'new sessions ratio, memory / bare',
    unit: 'x',
    value: perKind.get('memory')!.median / perKind.get('bare')!.median,
  });
  return rows;
}
