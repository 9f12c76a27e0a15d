/** Measurements shared by the http and redis suites: one server process per measurement. */
import { startServer } from './children.js';
import { type LoadFigures, toolCallLoad } from './load.js';
import { callTool, initialize, type OpenStream, openStream, runBounded } from './mcp-client.js';
import { type BenchRow, judge, medianOf } from './report.js';
import type { ServerConfig, ServerKind } from './server-protocol.js';
import type { BenchSettings } from './settings.js';

/**
 * Tool-call throughput and latency of one wiring: `connections` sessions, each initialized and
 * holding its GET stream (as the SDK client does), then a warm-up run and a measured run.
 * Throws when any request failed: such a run measures errors, not the wiring.
 */
export async function throughputRound(
  config: ServerConfig,
  settings: BenchSettings,
): Promise<LoadFigures> {
  const server = await startServer(config);
  const streams: OpenStream[] = [];
  try {
    const ids = await Promise.all(
      Array.from({ length: settings.connections }, () => initialize(server.url)),
    );
    for (const id of ids) streams.push(await openStream(server.url, id));
    await toolCallLoad(server.url, ids, settings.warmup);
    const figures = await toolCallLoad(server.url, ids, settings.duration);
    if (figures.failed > 0 || figures.requests === 0) {
      throw new Error(
        `${config.kind}: ${figures.failed} of ${figures.requests} tool calls failed under load`,
      );
    }
    return figures;
  } finally {
    await Promise.all(streams.map((stream) => stream.close()));
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
};

/**
 * Table rows comparing a wiring with a reference: req/s, p50, p99 of each (medians over the
 * rounds), then the req/s ratio against `minRatio` and, when given, the p99 ratio against
 * `maxP99Ratio`.
 */
export function loadRows(
  suite: string,
  figures: Map<ServerKind, LoadFigures[]>,
  reference: ServerKind,
  subject: ServerKind,
  minRatio: number,
  maxP99Ratio?: number,
): BenchRow[] {
  const rows: BenchRow[] = [];
  const medians = new Map<ServerKind, { rps: number; p99: number }>();
  for (const kind of [reference, subject]) {
    const runs = figures.get(kind)!;
    const rps = medianOf(runs.map((f) => f.rps));
    const p50 = medianOf(runs.map((f) => f.p50));
    const p99 = medianOf(runs.map((f) => f.p99));
    medians.set(kind, { rps: rps.median, p99: p99.median });
    const label = LABELS[kind];
    rows.push(
      { suite, name: `tool call, ${label}`, unit: 'req/s', value: rps.median, spread: rps.spread },
      { suite, name: `tool call p50, ${label}`, unit: 'ms', value: p50.median, spread: p50.spread },
      { suite, name: `tool call p99, ${label}`, unit: 'ms', value: p99.median, spread: p99.spread },
    );
  }
  const ref = medians.get(reference)!;
  const sub = medians.get(subject)!;
  const ratio = sub.rps / ref.rps;
  rows.push({
    suite,
    name: `req/s ratio, ${subject} / ${reference}`,
    unit: 'x',
    value: ratio,
    ...judge(ratio, '>=', minRatio),
  });
  if (maxP99Ratio !== undefined) {
    const p99Ratio = sub.p99 / ref.p99;
    rows.push({
      suite,
      name: `p99 ratio, ${subject} / ${reference}`,
      unit: 'x',
      value: p99Ratio,
      ...judge(p99Ratio, '<=', maxP99Ratio),
    });
  }
  return rows;
}
