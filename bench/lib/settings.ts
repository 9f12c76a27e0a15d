/** Command-line settings of `npm run bench`, shared by the suites. */
import { parseArgs } from 'node:util';

/** Knobs of a benchmark run; the defaults are what the published figures use. */
export interface BenchSettings {
  /** Seconds of each measured HTTP load run. @default 8 */
  duration: number;
  /** Seconds of the unmeasured load run before each measured one. @default 2 */
  warmup: number;
  /** HTTP load runs per wiring, alternated; figures are medians. @default 3 */
  rounds: number;
  /** Concurrent connections (one session each) of the HTTP load. @default 32 */
  connections: number;
  /** Sessions created per round of the session-creation figure. @default 2000 */
  createSessions: number;
  /** Sessions created and ended by the soak. @default 100000 */
  soakSessions: number;
  /** Idle sessions held by the scale suite. @default 10000 */
  scaleSessions: number;
  /** Sessions served round robin by the fleet suite's 3 replicas (heap figure). @default 10000 */
  fleetSessions: number;
  /** The Redis of the redis suite. @default REDIS_URL, else redis://127.0.0.1:6379 */
  redisUrl: string;
}

const FLAGS = {
  duration: 8,
  warmup: 2,
  rounds: 3,
  connections: 32,
  'create-sessions': 2000,
  'soak-sessions': 100_000,
  'scale-sessions': 10_000,
  'fleet-sessions': 10_000,
} as const;

/** Parses `[suite ...] [--flag value ...]`; throws on an unknown flag or a non-positive number. */
export function parseSettings(argv: string[]): { suites: string[]; settings: BenchSettings } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: Object.fromEntries(
      Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }]),
    ),
  });
  const number = (name: keyof typeof FLAGS): number => {
    const raw = (values as Record<string, string | undefined>)[name];
    if (raw === undefined) return FLAGS[name];
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`--${name} expects a positive integer, got ${JSON.stringify(raw)}.`);
    }
    return value;
  };
  return {
    suites: positionals,
    settings: {
      duration: number('duration'),
      warmup: number('warmup'),
      rounds: number('rounds'),
      connections: number('connections'),
      createSessions: number('create-sessions'),
      soakSessions: number('soak-sessions'),
      scaleSessions: number('scale-sessions'),
      fleetSessions: number('fleet-sessions'),
      redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    },
  };
}
