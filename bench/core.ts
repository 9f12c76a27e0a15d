/**
 * Core suite: touch and resolve throughput, sweep cost and bytes per session of the memory
 * store's engine, each beside the structures simple session maps use, in the same run:
 * - "plain map": a `Map` whose touch is a get and a field write (and whose sweep scans every
 *   entry): the floor any touch costs, so the touch target is a ratio to it;
 * - "reinsert map": a `Map` kept in touch order by delete-and-reinsert.
 *
 * Touch figures alternate their subjects round by round and report medians; the ratios are
 * medians of per-round ratios, which hold on any machine where absolute ops/s do not.
 */

import { Bench } from 'tinybench';
import { generateSessionId } from '../src/core/session-id.js';
import { SessionManager } from '../src/core/session-manager.js';
import type { StorePolicy } from '../src/core/store.js';
import { MemoryEngine } from '../src/stores/memory/engine.js';
import { MemoryStore } from '../src/stores/memory-store.js';
import { interleave, pairedRatio } from './lib/interleave.js';
import { type BenchRow, gc, judge, medianOf } from './lib/report.js';

const SIZES = [10_000, 100_000, 1_000_000];
const BATCH = 10_000;
const TTL = 1_800_000;
const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: TTL,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 86_400_000,
  maxTombstones: 100_000,
  maxSessions: Infinity,
});

/**
 * Touch and resolve figures run a logical clock one tick per operation, tens of millions of
 * ticks in all: with this TTL no session expires meanwhile, so every operation measures a live
 * session (not the cheaper expired path, nor ends).
 */
const TOUCH_TTL = 365 * 86_400_000;
const TOUCH_POLICY: StorePolicy = Object.freeze({ ...POLICY, idleTtlMs: TOUCH_TTL });

/** Operations per touch sample (one pass over the access order). */
const TOUCH_OPS = 1 << 20;
/** Rounds of the touch comparison; each round samples every subject once. */
const TOUCH_ROUNDS = 9;
/** Touch throughput of the engine at 1 M sessions against the plain map, same run. */
const TOUCH_RATIO_TARGET = 0.8;
/** Hot-set access: this share of touches goes to {@link HOT_SHARE} of the sessions. */
const HOT_TOUCHES = 0.9;
const HOT_SHARE = 0.01;

interface PlainEntry {
  id: string;
  createdAt: number;
  lastSeenAt: number;
}

function makeIds(n: number): string[] {
  return Array.from({ length: n }, () => generateSessionId());
}

/** Uniform random access over n items, long enough to cycle through without a pattern. */
function uniformOrder(n: number): Uint32Array {
  const order = new Uint32Array(TOUCH_OPS);
  for (let i = 0; i < order.length; i++) order[i] = Math.floor(Math.random() * n);
  return order;
}

/** {@link HOT_TOUCHES} of accesses to a random {@link HOT_SHARE} of n items, the rest uniform. */
function hotSetOrder(n: number): Uint32Array {
  const hot = Uint32Array.from({ length: Math.max(1, Math.floor(n * HOT_SHARE)) }, () =>
    Math.floor(Math.random() * n),
  );
  const order = new Uint32Array(TOUCH_OPS);
  for (let i = 0; i < order.length; i++) {
    order[i] =
      Math.random() < HOT_TOUCHES
        ? hot[Math.floor(Math.random() * hot.length)]!
        : Math.floor(Math.random() * n);
  }
  return order;
}

function engineWith(ids: string[], createdAt = 0, policy = POLICY): MemoryEngine {
  const engine = new MemoryEngine();
  for (const id of ids) engine.create({ id, createdAt }, policy);
  return engine;
}

async function memoryStoreWith(
  ids: string[],
  createdAt: number,
  policy: StorePolicy,
): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const id of ids) await store.create({ id, createdAt }, policy);
  return store;
}

function plainMapWith(ids: string[], createdAt = 0): Map<string, PlainEntry> {
  const map = new Map<string, PlainEntry>();
  for (const id of ids) map.set(id, { id, createdAt, lastSeenAt: createdAt });
  return map;
}

/** Ops/s of a batched task: tinybench times batches of BATCH operations. */
async function opsPerSecond(name: string, batch: () => void | Promise<void>, time = 600) {
  const bench = new Bench({ name, time, warmupTime: 150 });
  bench.add(name, batch);
  await bench.run();
  const result = bench.tasks[0]!.result as { latency?: { p50: number; mad: number } };
  if (result.latency === undefined) throw new Error(`benchmark ${name} did not complete`);
  const { p50, mad } = result.latency;
  return { value: (BATCH / p50) * 1000, spread: mad / p50 };
}

/** Ops/s of one pass of `run` over {@link TOUCH_OPS} operations. */
function timedPass(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return TOUCH_OPS / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * The engine's touch and get, the plain map's touch and the reinsert map's touch over the same
 * IDs in the same access order, alternated round by round.
 */
function touchComparison(ids: string[], order: Uint32Array, rounds: number) {
  const engine = engineWith(ids, 0, TOUCH_POLICY);
  const plain = plainMapWith(ids);
  const reinsert = plainMapWith(ids);
  let now = 1;
  const figures = interleave(
    {
      engine: () =>
        timedPass(() => {
          for (let i = 0; i < TOUCH_OPS; i++) engine.touch(ids[order[i]!]!, ++now, TOUCH_POLICY);
        }),
      plain: () =>
        timedPass(() => {
          for (let i = 0; i < TOUCH_OPS; i++) {
            const entry = plain.get(ids[order[i]!]!);
            if (entry !== undefined) entry.lastSeenAt = ++now;
          }
        }),
      reinsert: () =>
        timedPass(() => {
          for (let i = 0; i < TOUCH_OPS; i++) {
            const id = ids[order[i]!]!;
            const entry = reinsert.get(id);
            if (entry === undefined) continue;
            reinsert.delete(id);
            entry.lastSeenAt = ++now;
            reinsert.set(id, entry);
          }
        }),
      get: () =>
        timedPass(() => {
          for (let i = 0; i < TOUCH_OPS; i++) engine.get(ids[order[i]!]!, now, TOUCH_POLICY);
        }),
    },
    rounds,
  );
  return { figures, ratio: pairedRatio(figures.engine, figures.plain), engine, now };
}

async function touchRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of SIZES) {
    const size = n.toLocaleString('en-US');
    const x = `${size} sessions`;
    const ids = makeIds(n);
    const last = n === SIZES.at(-1);
    const patterns = last
      ? ([
          ['uniform', uniformOrder(n)],
          ['hot set', hotSetOrder(n)],
        ] as const)
      : ([['uniform', uniformOrder(n)]] as const);
    for (const [pattern, order] of patterns) {
      const rounds = last ? TOUCH_ROUNDS : 5;
      const { figures, ratio } = touchComparison(ids, order, rounds);
      gc();
      const note = `${pattern} access, ${rounds} rounds alternated`;
      const uniform = pattern === 'uniform';
      rows.push(
        {
          suite: 'core',
          name: `touch, memory store engine, ${size} sessions`,
          unit: 'ops/s',
          value: figures.engine.median,
          spread: figures.engine.spread,
          note,
          ...(uniform ? { chart: { series: 'memory store engine', x } } : {}),
        },
        {
          suite: 'core',
          name: `touch, plain map (get + field write), ${size} sessions`,
          unit: 'ops/s',
          value: figures.plain.median,
          spread: figures.plain.spread,
          note,
          ...(uniform ? { chart: { series: 'plain map (get + field write)', x } } : {}),
        },
        {
          suite: 'core',
          name: `touch ratio, memory store engine / plain map, ${size} sessions`,
          unit: 'x',
          value: ratio.median,
          spread: ratio.spread,
          note: `${pattern} access, median of per-round ratios`,
          ...(last ? judge(ratio.median, '>=', TOUCH_RATIO_TARGET) : {}),
        },
        {
          suite: 'core',
          name: `touch, reinsert map, ${size} sessions`,
          unit: 'ops/s',
          value: figures.reinsert.median,
          spread: figures.reinsert.spread,
          note: `${note}; engine / this ${(figures.engine.median / figures.reinsert.median).toFixed(2)}x`,
          ...(uniform ? { chart: { series: 'map delete-and-reinsert', x } } : {}),
        },
        {
          suite: 'core',
          name: `resolve (get), memory store engine, ${size} sessions`,
          unit: 'ops/s',
          value: figures.get.median,
          spread: figures.get.spread,
          note,
        },
      );
    }

    let now = 1;
    const order = uniformOrder(n);
    let cursor = 0;
    const store = await memoryStoreWith(ids, 0, TOUCH_POLICY);
    const manager = new SessionManager({
      store,
      idleTtlMs: TOUCH_TTL,
      maxSessions: Infinity,
      autoStart: false,
      clock: { now: () => ++now },
    });
    const viaManager = await opsPerSecond(`manager.touch ${n}`, async () => {
      for (let i = 0; i < BATCH; i++) await manager.touch(ids[order[cursor++ & (TOUCH_OPS - 1)]!]!);
    });
    rows.push({
      suite: 'core',
      name: `SessionManager.touch (async, validated), ${size} sessions`,
      unit: 'ops/s',
      ...viaManager,
    });
    await manager.close();
    gc();
  }
  return rows;
}

/** How a sweep is run: our store (with or without tombstones), or a plain map scanned in full. */
type SweepMode = 'store' | 'store, no tombstones' | 'full scan';

/** The store's policy without tombstones: the sweep then does the same work as a full scan. */
const NO_TOMBSTONES: StorePolicy = Object.freeze({ ...POLICY, tombstoneTtlMs: 0 });

/** µs of one sweep over a freshly built structure of `ids` with a fraction already expired. */
function sweepOnce(ids: string[], expired: number, mode: SweepMode): number {
  const cut = Math.floor(ids.length * expired);
  const now = TTL + 1;
  if (mode === 'full scan') {
    const map = new Map<string, PlainEntry>();
    for (const [i, id] of ids.entries()) {
      const at = i < cut ? 0 : now;
      map.set(id, { id, createdAt: at, lastSeenAt: at });
    }
    const start = process.hrtime.bigint();
    for (const [id, entry] of map) if (entry.lastSeenAt + TTL <= now) map.delete(id);
    return Number(process.hrtime.bigint() - start) / 1000;
  }
  const policy = mode === 'store' ? POLICY : NO_TOMBSTONES;
  const engine = new MemoryEngine();
  for (const [i, id] of ids.entries()) engine.create({ id, createdAt: i < cut ? 0 : now }, policy);
  const start = process.hrtime.bigint();
  const claimed = engine.claimExpired(now, Number.MAX_SAFE_INTEGER, policy);
  const took = Number(process.hrtime.bigint() - start) / 1000;
  if (claimed.length !== cut) throw new Error(`sweep claimed ${claimed.length}, expected ${cut}`);
  return took;
}

async function sweepRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const ids = makeIds(1_000_000);
  // No expiry: the sweep is read-only, so sample it many times on one store.
  const engine = engineWith(ids, TTL + 1);
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = process.hrtime.bigint();
    engine.claimExpired(TTL + 2, 1000, POLICY);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  const ours0 = medianOf(samples);
  const manager = new SessionManager({
    store: await memoryStoreWith(ids, TTL + 1, POLICY),
    idleTtlMs: TTL,
    maxSessions: Infinity,
    autoStart: false,
    clock: { now: () => TTL + 2 },
  });
  const managerSamples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = process.hrtime.bigint();
    await manager.sweep();
    managerSamples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  const viaManager = medianOf(managerSamples);
  const scanSamples: number[] = [];
  const scanned = plainMapWith(ids, TTL + 1);
  for (let i = 0; i < 15; i++) {
    const start = process.hrtime.bigint();
    for (const [id, entry] of scanned) if (entry.lastSeenAt + TTL <= TTL + 2) scanned.delete(id);
    scanSamples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  const scan0 = medianOf(scanSamples);
  const ratio = scan0.median / ours0.median;
  rows.push({
    suite: 'core',
    name: 'sweep, 1 M live, 0 % expired, memory store',
    unit: 'µs',
    value: ours0.median,
    spread: ours0.spread,
    ...judge(ours0.median, '<=', 50),
  });
  rows.push({
    suite: 'core',
    name: 'sweep, 1 M live, 0 % expired, SessionManager.sweep()',
    unit: 'µs',
    value: viaManager.median,
    spread: viaManager.spread,
  });
  rows.push({
    suite: 'core',
    name: 'sweep, 1 M live, 0 % expired, full scan',
    unit: 'µs',
    value: scan0.median,
    spread: scan0.spread,
  });
  rows.push({
    suite: 'core',
    name: 'sweep speed-up over full scan, 0 % expired',
    unit: 'x',
    value: ratio,
    ...judge(ratio, '>=', 100),
  });

  rows.push(...refileRows(ids));

  const modes: SweepMode[] = ['store', 'store, no tombstones', 'full scan'];
  for (const fraction of [0.01, 0.1]) {
    const samples = new Map<SweepMode, number[]>(modes.map((mode) => [mode, []]));
    for (let i = 0; i < 5; i++) {
      for (const mode of modes) {
        samples.get(mode)!.push(sweepOnce(ids, fraction, mode));
        gc();
      }
    }
    const pct = `${fraction * 100} %`;
    const expired = Math.floor(ids.length * fraction).toLocaleString('en-US');
    const scan = medianOf(samples.get('full scan')!);
    for (const mode of modes) {
      const { median, spread } = medianOf(samples.get(mode)!);
      const label =
        mode === 'store'
          ? `memory store (writes ${expired} tombstones)`
          : mode === 'store, no tombstones'
            ? 'memory store, tombstoneTtlMs 0'
            : 'full scan (no tombstones)';
      rows.push({
        suite: 'core',
        name: `sweep, 1 M live, ${pct} expired, ${label}`,
        unit: 'µs',
        value: median,
        spread,
        ...(mode === 'full scan'
          ? {}
          : { note: `full scan / this ${(scan.median / median).toFixed(2)}x` }),
      });
    }
  }
  return rows;
}

/**
 * The price of the lazy touch: a sweep that finds every session touched since it was filed
 * files each again (once per idle window per session), then the next sweep is as cheap as ever.
 */
function refileRows(ids: string[]): BenchRow[] {
  const samples: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < 3; i++) {
    const engine = engineWith(ids, 0);
    for (const id of ids) engine.touch(id, TTL / 2, POLICY);
    let start = process.hrtime.bigint();
    const claimed = engine.claimExpired(TTL + 1, Number.MAX_SAFE_INTEGER, POLICY);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
    if (claimed.length !== 0) throw new Error(`sweep claimed ${claimed.length}, expected 0`);
    for (let j = 0; j < 200; j++) {
      start = process.hrtime.bigint();
      engine.claimExpired(TTL + 2, 1000, POLICY);
      after.push(Number(process.hrtime.bigint() - start) / 1000);
    }
    gc();
  }
  const refile = medianOf(samples);
  const next = medianOf(after);
  return [
    {
      suite: 'core',
      name: 'sweep, 1 M live, all touched since filed: files each again, memory store',
      unit: 'µs',
      value: refile.median,
      spread: refile.spread,
      note: `${((refile.median * 1000) / ids.length).toFixed(0)} ns per session, once per idle window`,
    },
    {
      suite: 'core',
      name: 'sweeps after that, 1 M live (all filed again), 0 % expired, memory store',
      unit: 'µs',
      value: next.median,
      spread: next.spread,
    },
  ];
}

function heapBytesPerSession(build: (ids: string[]) => unknown, n: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const ids = makeIds(n);
  const kept = build(ids);
  ids.length = 0;
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error('nothing built');
  return (after - before) / n;
}

function memoryRows(): BenchRow[] {
  const n = 1_000_000;
  const ours = heapBytesPerSession((ids) => engineWith(ids), n);
  gc();
  const plain = heapBytesPerSession((ids) => plainMapWith(ids), n);
  gc();
  return [
    {
      suite: 'core',
      name: 'heap per session at 1 M, memory store (ID included)',
      unit: 'B',
      value: ours,
      ...judge(ours, '<=', 200),
    },
    {
      suite: 'core',
      name: 'heap per session at 1 M, plain map (ID included)',
      unit: 'B',
      value: plain,
    },
  ];
}

/** Runs the core suite. */
export async function runCore(): Promise<BenchRow[]> {
  const rows = [...memoryRows()];
  rows.push(...(await touchRows()));
  gc();
  rows.push(...(await sweepRows()));
  return rows;
}
