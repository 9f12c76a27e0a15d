/** Measurements shared by the http and redis suites: one server process per measurement. */
import { startServer } from './children.js';
import { type LoadFigures, modernToolCallLoad, toolCallLoad } from './load.js';
import { callTool, initialize, type OpenStream, openStream, runBounded } from './mcp-client.js';
import { type BenchRow, judge, medianOf } from './report.js';
import type { ServerConfig, ServerKind } from './server-protocol.js';
import type { BenchSettings } from './settings.js';

/** One load round of one wiring: the client's figures and the server's CPU per call. */
export interface RoundFigures extends LoadFigures {
  /** Server CPU time (user + system) per request received in the measured run, in µs. */
  cpuPerCall: number;
}

/**
 * Tool-call throughput, latency and server CPU per call of one wiring: `connections` sessions,
 * each initialized and holding its GET stream (as the SDK client does), then a warm-up run and
 * a measured run, around which the server process measures its own CPU time.
 * Throws when any request failed: such a run measures errors, not the wiring.
 */
export async function throughputRound(
  config: ServerConfig,
  settings: BenchSettings,
): Promise<RoundFigures> {
  const server = await startServer(config);
  const streams: OpenStream[] = [];
  try {
    const ids = await Promise.all(
      Array.from({ length: settings.connections }, () => initialize(server.url)),
    );
    for (const id of ids) streams.push(await openStream(server.url, id));
    await toolCallLoad(server.url, ids, settings.warmup);
    await server.cpuStart();
    const figures = await toolCallLoad(server.url, ids, settings.duration);
    const cpu = await server.cpuStop();
    if (figures.failed > 0 || figures.requests === 0 || cpu.requests === 0) {
      throw new Error(
        `${config.kind}: ${figures.failed} of ${figures.requests} tool calls failed under load`,
      );
    }
    return { ...figures, cpuPerCall: cpu.cpuMicros / cpu.requests };
  } finally {
    await Promise.all(streams.map((stream) => stream.close()));
    await server.stop();
  }
}

/**
 * Like {@link throughputRound}, with 2026-07-28 traffic: `connections` connections sending
 * `tools/call echo` without sessions (no initialize, no GET stream).
 */
export async function modernThroughputRound(
  config: ServerConfig,
  settings: BenchSettings,
): Promise<RoundFigures> {
  const server = await startServer(config);
  try {
    await modernToolCallLoad(server.url, settings.connections, settings.warmup);
    await server.cpuStart();
    const figures = await modernToolCallLoad(server.url, settings.connections, settings.duration);
    const cpu = await server.cpuStop();
    if (figures.failed > 0 || figures.requests === 0 || cpu.requests === 0) {
      throw new Error(
        `${config.kind}: ${figures.failed} of ${figures.requests} tool calls failed under load`,
      );
    }
    return { ...figures, cpuPerCall: cpu.cpuMicros / cpu.requests };
  } finally {
    await server.stop();
  }
}

/** Sessions per second of initialize + initialized notification + first tool call. */
export async function creationRound(config: ServerConfig, count: number): Promise<number> {
  const server = await startServer(config);
  const concurrency = 16;
  const createOne = async () => callTool(server.url, await initialize(server.url));
  try {
    await runBounded(Math.min(200, count), concurrency, createOne);
    const seconds = await runBounded(count, concurrency, createOne);
    return count / seconds;
  } finally {
    await server.stop();
  }
}

/** Runs `measure` for every kind, `rounds` times, alternating kinds so drift hits each alike. */
export async function alternate<T>(
  kinds: readonly ServerKind[],
  rounds: number,
  measure: (kind: ServerKind, round: number) => Promise<T>,
): Promise<Map<ServerKind, T[]>> {
  const all = new Map<ServerKind, T[]>(kinds.map((kind) => [kind, []]));
  for (let round = 0; round < rounds; round++) {
    for (const kind of kinds) {
      const value = await measure(kind, round);
      all.get(kind)!.push(value);
      console.error(`bench:   round ${round + 1} ${kind}: ${JSON.stringify(value)}`);
    }
  }
  return all;
}

/** Labels of the wirings in the table. */
export const LABELS: Readonly<Record<ServerKind, string>> = {
  bare: 'bare SDK wiring (Map of transports)',
  memory: 'StreamableHttpHandler, memory store',
  redis: 'StreamableHttpHandler, Redis store (node-redis)',
  'web-request': 'Web-standard transport fed a real Request',
  'web-light': 'Web-standard transport fed a light request object',
  fleet: 'StreamableHttpHandler, fleet replica on a shared Redis store',
  'v2-bare': 'SDK v2 createMcpHandler alone (2026-07-28)',
  'v2-modern': 'mcp-sessions/v2 handler, 2026-07-28 traffic',
  'v2-legacy': 'mcp-sessions/v2 handler, 2025 traffic with sessions',
};

/**
 * Table rows comparing a wiring (`subject`) with a `reference` measured in the same rounds:
 * req/s, p50, p99 and server CPU per call of each (medians over the rounds); the req/s and p99
 * ratios (subject / reference, for information: on a shared machine they move with the load
 * of others); and the server CPU ratio, reference / subject (above 1: the subject spends less
 * CPU per call), the median of the per-round ratios, judged `>= minCpuRatio` when given.
 */
export function loadRows(
  suite: string,
  figures: Map<ServerKind, RoundFigures[]>,
  reference: ServerKind,
  subject: ServerKind,
  minCpuRatio?: number,
): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const kind of [reference, subject]) {
    const runs = figures.get(kind)!;
    const label = LABELS[kind];
    const row = (name: string, unit: string, values: number[]): BenchRow => {
      const { median, spread } = medianOf(values);
      return { suite, name: `${name}, ${label}`, unit, value: median, spread };
    };
    rows.push(
      row(
        'tool call',
        'req/s',
        runs.map((f) => f.rps),
      ),
      row(
        'tool call p50',
        'ms',
        runs.map((f) => f.p50),
      ),
      row(
        'tool call p99',
        'ms',
        runs.map((f) => f.p99),
      ),
      row(
        'server CPU per tool call',
        'µs',
        runs.map((f) => f.cpuPerCall),
      ),
    );
  }
  const ref = figures.get(reference)!;
  const sub = figures.get(subject)!;
  const paired = (ratio: (s: RoundFigures, r: RoundFigures) => number) =>
    medianOf(sub.map((s, i) => ratio(s, ref[i]!)));
  const rps = paired((s, r) => s.rps / r.rps);
  const p99 = paired((s, r) => s.p99 / r.p99);
  const cpu = paired((s, r) => r.cpuPerCall / s.cpuPerCall);
  rows.push(
    {
      suite,
      name: `req/s ratio, ${subject} / ${reference}`,
      unit: 'x',
      value: rps.median,
      spread: rps.spread,
    },
    {
      suite,
      name: `p99 ratio, ${subject} / ${reference}`,
      unit: 'x',
      value: p99.median,
      spread: p99.spread,
    },
    {
      suite,
      name: `server CPU per call ratio, ${reference} / ${subject}`,
      unit: 'x',
      value: cpu.median,
      spread: cpu.spread,
      ...(minCpuRatio === undefined ? {} : judge(cpu.median, '>=', minCpuRatio)),
    },
  );
  return rows;
}
