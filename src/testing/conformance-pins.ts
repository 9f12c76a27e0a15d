/**
 * Conformance cases of pins and eviction: pins recorded by touches, seen by every caller,
 * dropped per holder and lapsing without renewal; `evictOldest` ending the least recently
 * touched session pinned nowhere, exactly once. Internal to the suite.
 *
 * @module
 */
import { expect } from 'vitest';
import { type PinChange, pinLeaseMs, type SessionStore } from '../core/store.js';
import { BASE_POLICY, type ConformanceKit } from './conformance-kit.js';

const HOLD_A: PinChange = Object.freeze({ holder: 'replica-a', hold: true });
const DROP_A: PinChange = Object.freeze({ holder: 'replica-a', hold: false });
const HOLD_B: PinChange = Object.freeze({ holder: 'replica-b', hold: true });

/** Creates sessions at `t0`, `t0 + 1`, ...: the first is the least recently touched. */
async function sessionsInOrder(kit: ConformanceKit, store: SessionStore, n: number) {
  const ids = Array.from({ length: n }, kit.newId);
  for (const [i, id] of ids.entries()) {
    await store.create({ id, createdAt: kit.t0 + i }, BASE_POLICY);
  }
  return ids;
}

/** Registers the pin and eviction cases. */
export function pinCases(kit: ConformanceKit): void {
  kit.case('evict oldest', async () => {
    const store = await kit.fresh();
    expect(await store.evictOldest(kit.t0, BASE_POLICY)).toBeUndefined();
    const [a, b, c] = await sessionsInOrder(kit, store, 3);
    await store.create({ id: kit.newId(), createdAt: kit.t0 + 3 }, BASE_POLICY);
    await store.touch(a!, kit.t0 + 4, BASE_POLICY);
    const evicted = await store.evictOldest(kit.t0 + 5, BASE_POLICY);
    expect(evicted?.status).toBe('ended-now');
    expect(evicted?.session.id).toBe(b);
    expect(evicted?.tombstone).toEqual({
      id: b,
      owner: undefined,
      reason: 'evicted',
      endedAt: kit.t0 + 5,
    });
    expect(await store.get(b!, kit.t0 + 6, BASE_POLICY)).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'evicted' },
    });
    expect((await store.evictOldest(kit.t0 + 6, BASE_POLICY))?.session.id).toBe(c);
    expect((await store.count(kit.t0 + 6, BASE_POLICY)).sessions).toBe(2);
  });

  kit.case('evict exactly once', async () => {
    const store = await kit.fresh();
    const ids = await sessionsInOrder(kit, store, 6);
    const now = kit.t0 + 10;
    const evictions = await Promise.all(
      Array.from({ length: 8 }, () => store.evictOldest(now, BASE_POLICY)),
    );
    const ended = evictions.flatMap((e) => (e === undefined ? [] : [e.session.id]));
    expect(ended.sort()).toEqual([...ids].sort());
    expect(evictions.filter((e) => e === undefined)).toHaveLength(2);
  });

  kit.case('pin visibility', async () => {
    const store = await kit.fresh();
    const [a, b, c] = await sessionsInOrder(kit, store, 3);
    const now = kit.t0 + 10;
    expect((await store.touch(a!, now, BASE_POLICY, false, null, HOLD_A)).status).toBe('active');
    expect((await store.touch(b!, now, BASE_POLICY, false, null, HOLD_B)).status).toBe('active');
    // Pinned sessions are passed over whoever asks, even though they are the oldest.
    await store.touch(c!, now + 1, BASE_POLICY);
    expect((await store.evictOldest(now + 2, BASE_POLICY))?.session.id).toBe(c);
    expect(await store.evictOldest(now + 2, BASE_POLICY)).toBeUndefined();
    // A holder's drop leaves the other holders' pins in place.
    await store.touch(b!, now + 3, BASE_POLICY, true, undefined, HOLD_A);
    await store.touch(b!, now + 4, BASE_POLICY, true, undefined, DROP_A);
    expect(await store.evictOldest(now + 5, BASE_POLICY)).toBeUndefined();
    await store.touch(a!, now + 6, BASE_POLICY, true, undefined, DROP_A);
    expect((await store.evictOldest(now + 7, BASE_POLICY))?.session.id).toBe(a);
    // A touch that is not answered active records nothing.
    const other = kit.newId();
    await store.create({ id: other, owner: 'x', createdAt: now }, BASE_POLICY);
    expect(await store.touch(other, now + 8, BASE_POLICY, false, 'y', HOLD_A)).toEqual({
      status: 'unknown',
    });
    expect((await store.evictOldest(now + 9, BASE_POLICY))?.session.id).toBe(other);
  });

  kit.case('pin lapse', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, idleTtlMs: 0 };
    const [a] = await sessionsInOrder(kit, store, 1);
    const held = kit.t0 + 100;
    await store.touch(a!, held, policy, false, undefined, HOLD_A);
    const lease = pinLeaseMs(policy);
    expect(await store.evictOldest(held + lease - 1, policy)).toBeUndefined();
    // Renewed: the lease runs from the renewal.
    await store.touch(a!, held + lease - 1, policy, true, undefined, HOLD_A);
    expect(await store.evictOldest(held + 2 * lease - 2, policy)).toBeUndefined();
    const evicted = await store.evictOldest(held + 2 * lease - 1, policy);
    expect(evicted?.session.id).toBe(a);
  });
}
