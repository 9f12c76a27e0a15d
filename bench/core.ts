/**
 * Core suite: touch and resolve throughput, sweep cost and bytes per session of the memory
 * store, each beside the structures simple session maps use in the same run:
 * - "seed map": a `Map` whose touch sets a field and whose sweep scans every entry;
 * - "reinsert map": a `Map` kept in touch order by delete-and-reinsert.
 */

import { Bench } from 'tinybench';
import { generateSessionId } from '../src/core/session-id.js';
import { SessionManager } from '../src/core/session-manager.js';
import type { StorePolicy } from '../src/core/store.js';
import { MemoryStore } from '../src/stores/memory-store.js';
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

interface SeedEntry {
  id: string;
  createdAt: number;
  lastSeenAt: number;
}

function makeIds(n: number): string[] {
  return Array.from({ length: n }, () => generateSessionId());
}

/** A random access order over n items, long enough to cycle through without a pattern. */
function accessOrder(n: number): Uint32Array {
  const order = new Uint32Array(1 << 20);
  for (let i = 0; i < order.length; i++) order[i] = Math.floor(Math.random() * n);
  return order;
}

function memoryStoreWith(ids: string[], createdAt = 0, policy = POLICY): MemoryStore {
  const store = new MemoryStore();
  for (const id of ids) store.createSync({ id, createdAt }, policy);
  return store;
}

function seedMapWith(ids: string[], createdAt = 0): Map<string, SeedEntry> {
  const map = new Map<string, SeedEntry>();
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

async function touchRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const n of SIZES) {
    const x = `${n.toLocaleString('en-US')} sessions`;
    const ids = makeIds(n);
    const order = accessOrder(n);
    let cursor = 0;
    let now = 1;
    const next = () => ids[order[cursor++ & 0xfffff]!]!;

    const store = memoryStoreWith(ids, 0, TOUCH_POLICY);
    const ours = await opsPerSecond(`touch ${n}`, () => {
      for (let i = 0; i < BATCH; i++) store.touchSync(next(), ++now, TOUCH_POLICY);
    });
    rows.push({
      suite: 'core',
      name: `touch, memory store, ${n.toLocaleString('en-US')} sessions`,
      unit: 'ops/s',
      ...ours,
      ...(n === 1_000_000 ? judge(ours.value, '>=', 10_000_000) : {}),
      chart: { series: 'memory store (map + linked list)', x },
    });
    const resolved = await opsPerSecond(`resolve ${n}`, () => {
      for (let i = 0; i < BATCH; i++) store.get(next(), now, TOUCH_POLICY);
    });
    rows.push({
      suite: 'core',
      name: `resolve (get), memory store, ${n.toLocaleString('en-US')} sessions`,
      unit: 'ops/s',
      ...resolved,
    });

    const manager = new SessionManager({
      store,
      idleTtlMs: TOUCH_TTL,
      maxSessions: Infinity,
      autoStart: false,
      clock: { now: () => ++now },
    });
    const viaManager = await opsPerSecond(`manager.touch ${n}`, async () => {
      for (let i = 0; i < BATCH; i++) await manager.touch(next());
    });
    rows.push({
      suite: 'core',
      name: `SessionManager.touch (async, validated), ${n.toLocaleString('en-US')} sessions`,
      unit: 'ops/s',
      ...viaManager,
    });

    const seed = seedMapWith(ids);
    const seedTouch = await opsPerSecond(`seed touch ${n}`, () => {
      for (let i = 0; i < BATCH; i++) {
        const entry = seed.get(next());
        if (entry !== undefined) entry.lastSeenAt = ++now;
      }
    });
    rows.push({
      suite: 'core',
      name: `touch, seed map (no order kept), ${n.toLocaleString('en-US')}`,
      unit: 'ops/s',
      ...seedTouch,
      chart: { series: 'seed map (field set, full-scan sweep)', x },
    });

    const reinsert = seedMapWith(ids);
    const reinsertTouch = await opsPerSecond(`reinsert touch ${n}`, () => {
      for (let i = 0; i < BATCH; i++) {
        const id = next();
        const entry = reinsert.get(id);
        if (entry === undefined) continue;
        reinsert.delete(id);
        entry.lastSeenAt = ++now;
        reinsert.set(id, entry);
      }
    });
    rows.push({
      suite: 'core',
      name: `touch, reinsert map, ${n.toLocaleString('en-US')}`,
      unit: 'ops/s',
      ...reinsertTouch,
      note: `ours ${(ours.value / reinsertTouch.value).toFixed(1)}x`,
      chart: { series: 'map delete-and-reinsert', x },
    });
  }
  return rows;
}

/** How a sweep is run: our store (with or without tombstones), or a seed map scanned in full. */
type SweepMode = 'store' | 'store, no tombstones' | 'full scan';

/** The store's policy without tombstones: the sweep then does the same work as a full scan. */
const NO_TOMBSTONES: StorePolicy = Object.freeze({ ...POLICY, tombstoneTtlMs: 0 });

/** µs of one sweep over a freshly built structure of `ids` with a fraction already expired. */
function sweepOnce(ids: string[], expired: number, mode: SweepMode): number {
  const cut = Math.floor(ids.length * expired);
  const now = TTL + 1;
  if (mode === 'full scan') {
    const map = new Map<string, SeedEntry>();
    for (const [i, id] of ids.entries()) {
      const at = i < cut ? 0 : now;
      map.set(id, { id, createdAt: at, lastSeenAt: at });
    }
    const start = process.hrtime.bigint();
    for (const [id, entry] of map) if (entry.lastSeenAt + TTL <= now) map.delete(id);
    return Number(process.hrtime.bigint() - start) / 1000;
  }
  const policy = mode === 'store' ? POLICY : NO_TOMBSTONES;
  const store = new MemoryStore();
  for (const [i, id] of ids.entries())
    store.createSync({ id, createdAt: i < cut ? 0 : now }, policy);
  const start = process.hrtime.bigint();
  const claimed = store.claimExpiredSync(now, Number.MAX_SAFE_INTEGER, policy);
  const took = Number(process.hrtime.bigint() - start) / 1000;
  if (claimed.length !== cut) throw new Error(`sweep claimed ${claimed.length}, expected ${cut}`);
  return took;
}

async function sweepRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const ids = makeIds(1_000_000);
  // No expiry: the sweep is read-only, so sample it many times on one store.
  const store = memoryStoreWith(ids, TTL + 1);
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const start = process.hrtime.bigint();
    store.claimExpiredSync(TTL + 2, 1000, POLICY);
    samples.push(Number(process.hrtime.bigint() - start) / 1000);
  }
  const ours0 = medianOf(samples);
  const manager = new SessionManager({
    store,
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
  const seed = seedMapWith(ids, TTL + 1);
  for (let i = 0; i < 15; i++) {
    const start = process.hrtime.bigint();
    for (const [id, entry] of seed) if (entry.lastSeenAt + TTL <= TTL + 2) seed.delete(id);
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
  const ours = heapBytesPerSession((ids) => memoryStoreWith(ids), n);
  gc();
  const seed = heapBytesPerSession((ids) => seedMapWith(ids), n);
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
      name: 'heap per session at 1 M, seed map (ID included)',
      unit: 'B',
      value: seed,
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
