/**
 * The fleet suite's scale-out figure: plain tool calls through a client-side round robin over 3
 * replicas against 1 replica, same client load (`connections` connections, one call in flight
 * each), alternated round by round, every round on fresh processes and a fresh prefix.
 *
 * Round robin without stickiness: connection *i* goes to replica `i % size` and uses session
 * `floor(i / size)`, so each session has its calls served by every replica at once. Every
 * session holds its GET stream, as the SDK client does, on the replica it was initialized on.
 */
import { startFleet } from './fleet.js';
import { toolCallLoad } from './load.js';
import { initialize, type OpenStream, openStream } from './mcp-client.js';
import { type BenchRow, medianOf } from './report.js';
import type { BenchSettings } from './settings.js';
import type { RoundFigures } from './wirings.js';

const SIZES = [1, 3] as const;
type Size = (typeof SIZES)[number];

async function fleetRound(size: Size, settings: BenchSettings, prefix: string) {
  const fleet = await startFleet(size, { redisUrl: settings.redisUrl, prefix });
  const streams: OpenStream[] = [];
  try {
    const { urls, replicas } = fleet;
    const count = Math.ceil(settings.connections / size);
    const ids = await Promise.all(
      Array.from({ length: count }, (_, s) => initialize(urls[s % size]!)),
    );
    for (const [s, id] of ids.entries()) streams.push(await openStream(urls[s % size]!, id));
    const perConnection = Array.from(
      { length: settings.connections },
      (_, i) => ids[Math.floor(i / size)]!,
    );
    await toolCallLoad(urls, perConnection, settings.warmup);
    await Promise.all(replicas.map((replica) => replica.cpuStart()));
    const figures = await toolCallLoad(urls, perConnection, settings.duration);
    const cpu = await Promise.all(replicas.map((replica) => replica.cpuStop()));
    const cpuMicros = cpu.reduce((sum, c) => sum + c.cpuMicros, 0);
    const requests = cpu.reduce((sum, c) => sum + c.requests, 0);
    if (figures.failed > 0 || figures.requests === 0 || requests === 0) {
      throw new Error(`fleet of ${size}: ${figures.failed} of ${figures.requests} calls failed`);
    }
    return { ...figures, cpuPerCall: cpuMicros / requests };
  } finally {
    await Promise.all(streams.map((stream) => stream.close()));
    await fleet.stop();
  }
}

/** Rows of the 3-replica fleet against 1 replica. */
export async function scaleOutRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const runs = new Map<Size, RoundFigures[]>(SIZES.map((size) => [size, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const size of SIZES) {
      const figures = await fleetRound(size, settings, `${prefix}r${round}x${size}:`);
      runs.get(size)!.push(figures);
      console.error(`bench:   round ${round + 1} ${size} replica(s): ${JSON.stringify(figures)}`);
    }
  }
  const note = `${settings.connections} connections round robin, GET streams open, ${settings.duration} s x ${settings.rounds}`;
  const rows: BenchRow[] = [];
  for (const size of SIZES) {
    const label = size === 1 ? '1 replica' : `${size} replicas round robin`;
    const row = (name: string, unit: string, pick: (f: RoundFigures) => number): BenchRow => {
      const { median, spread } = medianOf(runs.get(size)!.map(pick));
      return { suite: 'fleet', name: `${name}, ${label}`, unit, value: median, spread, note };
    };
    rows.push(
      row('tool call', 'req/s', (f) => f.rps),
      row('tool call p50', 'ms', (f) => f.p50),
      row('tool call p99', 'ms', (f) => f.p99),
      row('server CPU per tool call (all replicas)', 'µs', (f) => f.cpuPerCall),
    );
  }
  const paired = (pick: (f: RoundFigures) => number) => {
    const one = runs.get(1)!;
    return medianOf(runs.get(3)!.map((f, i) => pick(f) / pick(one[i]!)));
  };
  for (const [name, pick] of [
    ['req/s ratio, 3 replicas / 1', (f: RoundFigures) => f.rps],
    ['p99 ratio, 3 replicas / 1', (f: RoundFigures) => f.p99],
  ] as const) {
    const { median, spread } = paired(pick);
    rows.push({
      suite: 'fleet',
      name,
      unit: 'x',
      value: median,
      spread,
      note: 'median of per-round ratios; one machine, 2 cores shared by all replicas, Redis and the load generator',
    });
  }
  return rows;
}
