/**
 * http suite: a tool call through the complete Streamable HTTP handler against the SDK's own
 * example wiring (a bare `Map` of transports, no TTL): same server code, same machine, one run,
 * rounds alternated, each server in its own process so the load generator does not share its
 * event loop. The target is on server CPU per call, steady where req/s is not. In the same
 * rounds, the SDK's Web-standard transport fed a real `Request` against a light request object.
 * Then the cost of a new session (initialize + first call) in the handler and the bare wiring.
 */
import { type BenchRow, medianOf } from './lib/report.js';
import type { BenchSettings } from './lib/settings.js';
import { alternate, creationRound, LABELS, loadRows, throughputRound } from './lib/wirings.js';

/**
 * Server CPU per call, bare wiring / handler: the handler may spend at most about 5 % more CPU
 * per tool call than the SDK's example wiring (1 / 0.95 = 1.053).
 */
const HANDLER_CPU_TARGET = 0.95;

/** Runs the http suite. */
export async function runHttp(settings: BenchSettings): Promise<BenchRow[]> {
  const loadKinds = ['bare', 'memory', 'web-request', 'web-light'] as const;
  const load = await alternate(loadKinds, settings.rounds, (kind) =>
    throughputRound({ kind }, settings),
  );
  const rows = [
    ...loadRows('http', load, 'bare', 'memory', HANDLER_CPU_TARGET),
    ...loadRows('http', load, 'web-request', 'web-light'),
  ];
  for (const row of rows)
    row.note ??= `${settings.connections} connections, ${settings.duration} s x ${settings.rounds}`;

  const kinds = ['bare', 'memory'] as const;
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
