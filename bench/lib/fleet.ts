/** Fleets of benchmark replicas (server kind `fleet`) on one Redis and prefix, and their figures. */
import { type ServerHandle, startServer } from './children.js';
import { medianOf } from './report.js';
import type { ServerConfig } from './server-protocol.js';

/** Replicas sharing one Redis store (same URL, same prefix). */
export interface Fleet {
  readonly replicas: readonly ServerHandle[];
  /** The replicas' endpoints, in order: a client's round robin walks them. */
  readonly urls: readonly string[];
  /** Stops every replica. */
  stop(): Promise<void>;
}

/** Starts `size` replicas on `redisUrl` and `prefix`, in parallel; waits until all listen. */
export async function startFleet(size: number, config: Omit<ServerConfig, 'kind'>): Promise<Fleet> {
  const started = await Promise.allSettled(
    Array.from({ length: size }, () => startServer({ ...config, kind: 'fleet' })),
  );
  const replicas = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  return {
    replicas,
    urls: replicas.map((replica) => replica.url),
    stop,
  };
}

/** The `p`-quantile (0 to 1) of samples, nearest rank below. */
export function quantile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Latencies of one subject, round by round (ms). */
export type RoundSamples = number[][];

/**
 * p50 and p99 over all rounds' samples pooled (more samples than one round has, for p99), the
 * spread of the per-round p50s, and those p50s in round order for paired ratios.
 */
export function latencyFigures(rounds: RoundSamples): {
  p50: number;
  p99: number;
  spread: number;
  roundP50s: number[];
} {
  const roundP50s = rounds.map((samples) => quantile(samples, 0.5));
  const pooled = rounds.flat();
  return {
    p50: quantile(pooled, 0.5),
    p99: quantile(pooled, 0.99),
    spread: medianOf(roundP50s).spread,
    roundP50s,
  };
}

/** Runs `task` once and answers how long it took, in ms. */
export async function timed(task: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await task();
  return performance.now() - started;
}

/** Megabytes (2^20) of a byte count. */
export const MiB = (bytes: number): number => bytes / 2 ** 20;
