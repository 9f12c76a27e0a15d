import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVICTION_SCAN_LIMIT, type StorePolicy } from '../../src/core/store.js';
import { MemoryEngine } from '../../src/stores/memory/engine.js';

const IDLE = 100;
const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: IDLE,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 0,
  maxTombstones: 0,
  maxSessions: Infinity,
});

type Op =
  | { op: 'create' }
  | { op: 'touch' | 'get' | 'end'; session: number }
  | { op: 'advance'; ms: number }
  | { op: 'sweep'; limit: number }
  | { op: 'pin'; session: number; hold: boolean }
  | { op: 'evict' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const) }),
  fc.record({
    op: fc.constantFrom('touch' as const, 'get' as const, 'end' as const),
    session: fc.nat(40),
  }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 60 }) }),
  fc.record({ op: fc.constant('sweep' as const), limit: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ op: fc.constant('pin' as const), session: fc.nat(40), hold: fc.boolean() }),
  fc.record({ op: fc.constant('evict' as const) }),
);

/** Live sessions of the model: ID -> lastSeenAt. */
type Model = Map<string, number>;

const HOLDER = 'replica-1';

function due(model: Model, now: number): string[] {
  return [...model].filter(([, seen]) => seen + IDLE <= now).map(([id]) => id);
}

function run(ops: Op[]): void {
  const engine = new MemoryEngine();
  const model: Model = new Map();
  /** Pinned sessions of the model: ID -> when the pin lapses. */
  const pins = new Map<string, number>();
  const ids: string[] = [];
  let now = 1000;
  for (const step of ops) {
    const pick = (i: number) => ids[i % Math.max(ids.length, 1)];
    switch (step.op) {
      case 'create': {
        const id = `s${ids.length}`;
        ids.push(id);
        expect(engine.create({ id, createdAt: now }, POLICY)).toBe('created');
        model.set(id, now);
        break;
      }
      case 'touch':
      case 'get': {
        const id = pick(step.session);
        if (id === undefined) break;
        const seen = model.get(id);
        const expected = seen === undefined ? 'unknown' : seen + IDLE <= now ? 'expired' : 'active';
        expect(engine[step.op](id, now, POLICY).status).toBe(expected);
        if (step.op === 'touch' && expected === 'active') model.set(id, now);
        break;
      }
      case 'end': {
        const id = pick(step.session);
        if (id === undefined) break;
        expect(engine.end(id, 'closed', now, POLICY).status).toBe(
          model.delete(id) ? 'ended-now' : 'unknown',
        );
        pins.delete(id);
        break;
      }
      case 'advance':
        now += step.ms;
        break;
      case 'sweep': {
        const expected = due(model, now);
        const claimed = engine.claimExpired(now, step.limit, POLICY).map((c) => c.session.id);
        expect(claimed.length).toBe(Math.min(step.limit, expected.length));
        for (const id of claimed) {
          expect(expected).toContain(id);
          model.delete(id);
          pins.delete(id);
        }
        break;
      }
      case 'pin': {
        const id = pick(step.session);
        const seen = id === undefined ? undefined : model.get(id);
        if (id === undefined || seen === undefined || seen + IDLE <= now) break;
        const pin = { holder: HOLDER, hold: step.hold };
        expect(engine.touch(id, now, POLICY, false, undefined, pin).status).toBe('active');
        model.set(id, now);
        if (step.hold) pins.set(id, now + IDLE);
        else pins.delete(id);
        break;
      }
      case 'evict': {
        const pinned = (id: string) => (pins.get(id) ?? -Infinity) > now;
        const free = [...model].filter(([id]) => !pinned(id)).map(([, seen]) => seen);
        const evicted = engine.evictOldest(now, POLICY);
        if (evicted === undefined) {
          const pinnedCount = model.size - free.length;
          expect(free.length === 0 || pinnedCount >= EVICTION_SCAN_LIMIT).toBe(true);
          break;
        }
        // The least recently touched unpinned session (ties within a millisecond in any order).
        const id = evicted.session.id;
        expect(pinned(id)).toBe(false);
        expect(model.get(id)).toBe(Math.min(...free));
        expect(evicted.tombstone).toMatchObject({ id, reason: 'evicted', endedAt: now });
        model.delete(id);
        pins.delete(id);
        break;
      }
    }
    expect(engine.count(now, POLICY).sessions).toBe(model.size);
  }
}

describe('memory engine against a reference model', () => {
  it('sweeps exactly the due sessions and evicts the least recently touched unpinned one', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => run(ops)),
      { numRuns: 1000 },
    );
  });

  it('a session touched after it was filed is not swept, and is swept one idle window later', () => {
    const engine = new MemoryEngine();
    engine.create({ id: 'a', createdAt: 0 }, POLICY);
    engine.create({ id: 'b', createdAt: 10 }, POLICY);
    engine.touch('a', 50, POLICY);
    expect(engine.claimExpired(110, 10, POLICY).map((c) => c.session.id)).toEqual(['b']);
    expect(engine.claimExpired(149, 10, POLICY)).toEqual([]);
    expect(engine.claimExpired(150, 10, POLICY).map((c) => c.session.id)).toEqual(['a']);
  });

  it('eviction passes over pinned sessions and leaves them filed for the sweep', () => {
    const engine = new MemoryEngine();
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      engine.create({ id, createdAt: i }, POLICY);
    }
    engine.touch('a', 5, POLICY);
    engine.touch('b', 5, POLICY, false, undefined, { holder: HOLDER, hold: true });
    engine.touch('b', 5, POLICY, false, undefined, { holder: 'replica-2', hold: true });
    engine.touch('c', 6, POLICY, false, undefined, { holder: HOLDER, hold: true });
    engine.touch('b', 7, POLICY, false, undefined, { holder: HOLDER, hold: false });
    expect(engine.evictOldest(8, POLICY)?.session.id).toBe('a');
    expect(engine.evictOldest(8, POLICY)).toBeUndefined();
    expect(engine.evictOldest(105, POLICY)?.session.id).toBe('b');
    expect(engine.claimExpired(106, 10, POLICY).map((c) => c.session.id)).toEqual(['c']);
  });

  it('keeps the newest tombstones up to the cap, also when an ID is used again', () => {
    const engine = new MemoryEngine();
    const policy: StorePolicy = { ...POLICY, tombstoneTtlMs: 50, maxTombstones: 3 };
    const status = (id: string, now: number) => engine.get(id, now, policy).status;
    for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) {
      engine.create({ id, createdAt: i }, policy);
      engine.end(id, 'closed', 10 + i, policy);
    }
    expect(['a', 'b', 'c', 'd'].map((id) => status(id, 20))).toEqual([
      'unknown',
      'ended',
      'ended',
      'ended',
    ]);
    expect(engine.create({ id: 'b', createdAt: 61 }, policy)).toBe('created');
    engine.end('b', 'closed', 62, policy);
    expect(engine.count(62, policy)).toEqual({ sessions: 0, tombstones: 2 });
    expect(status('b', 62)).toBe('ended');
    for (const [i, id] of ['e', 'f', 'g'].entries()) {
      engine.create({ id, createdAt: 63 + i }, policy);
      engine.end(id, 'closed', 63 + i, policy);
    }
    expect(['b', 'e', 'f', 'g'].map((id) => status(id, 70))).toEqual([
      'unknown',
      'ended',
      'ended',
      'ended',
    ]);
  });
});
