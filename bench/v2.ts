/**
 * v2 suite: the `mcp-sessions/v2` handler against what it stands beside, in one run, rounds
 * alternated, each server in its own process. 2026-07-28 tool calls (no session) through the
 * handler against SDK v2's `createMcpHandler` alone: what routing by era costs. 2025-era tool
 * calls (sessions, GET stream open) through the handler on SDK v2 against today's SDK v1
 * handler (`mcp-sessions/streamable-http`): what moving a sessionful server to SDK v2 costs.
 * Figures for information: req/s, p50, p99 and server CPU per call, with same-run ratios.
 */
import type { BenchRow } from './lib/report.js';
import type { BenchSettings } from './lib/settings.js';
import { alternate, loadRows, modernThroughputRound, throughputRound } from './lib/wirings.js';

/** Runs the v2 suite. */
export async function runV2(settings: BenchSettings): Promise<BenchRow[]> {
  const modern = await alternate(['v2-bare', 'v2-modern'] as const, settings.rounds, (kind) =>
    modernThroughputRound({ kind }, settings),
  );
  const legacy = await alternate(['memory', 'v2-legacy'] as const, settings.rounds, (kind) =>
    throughputRound({ kind }, settings),
  );
  const rows = [
    ...loadRows('v2', modern, 'v2-bare', 'v2-modern'),
    ...loadRows('v2', legacy, 'memory', 'v2-legacy'),
  ];
  for (const row of rows)
    row.note ??= `${settings.connections} connections, ${settings.duration} s x ${settings.rounds}`;
  return rows;
}
