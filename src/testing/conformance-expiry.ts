/**
 * Conformance cases of expiry: exactly-once claims (two sweepers racing), batch limits,
 * lifetimes and tombstone bounds. Internal to the suite.
 *
 * @module
 */
import { expect } from 'vitest';
import type { SessionStore } from '../core/store.js';
import { BASE_POLICY, type ConformanceKit } from './conformance-kit.js';

/** Registers the expiry cases. */
export function expiryCases(kit: ConformanceKit): void {
  kit.case('claim', async () => {
    const store = await kit.fresh();
    const a = kit.newId();
    const b = kit.newId();
    await store.create({ id: a, owner: 'x', createdAt: kit.t0 }, BASE_POLICY);
    await store.create({ id: b, createdAt: kit.t0 + 500 }, BASE_POLICY);
    expect(await store.claimExpired(kit.t0 + 999, 10, BASE_POLICY)).toEqual([]);
    const first = await store.claimExpired(kit.t0 + 1000, 10, BASE_POLICY);
    expect(first.map((c) => c.session.id)).toEqual([a]);
    expect(first[0]!.session.owner).toBe('x');
    expect(first[0]!.tombstone).toMatchObject({
      id: a,
      owner: 'x',
      reason: 'idle',
      endedAt: kit.t0 + 1000,
    });
    expect(await store.get(a, kit.t0 + 1001, BASE_POLICY)).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'idle' },
    });
    const never = { ...BASE_POLICY, idleTtlMs: 0 };
    expect(await store.claimExpired(kit.t0 + 1e9, 10, never)).toEqual([]);
    expect((await store.get(b, kit.t0 + 1e9, never)).status).toBe('active');
  });

  kit.case('claim exactly once', async () => {
    const store = await kit.fresh();
    const ids = Array.from({ length: 60 }, kit.newId);
    for (const id of ids) await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
    const sweep = async (s: SessionStore) => {
      const got: string[] = [];
      for (;;) {
        const batch = await s.claimExpired(kit.t0 + 2000, 7, BASE_POLICY);
        got.push(...batch.map((c) => c.session.id));
        if (batch.length < 7) return got;
      }
    };
    // Two sweepers over the same store instance, racing.
    const [x, y] = await Promise.all([sweep(store), sweep(store)]);
    expect([...x, ...y].sort()).toEqual([...ids].sort());
    expect(new Set([...x, ...y]).size).toBe(ids.length);
  });

  kit.case('claim limit', async () => {
    const store = await kit.fresh();
    const ids = Array.from({ length: 10 }, kit.newId);
    for (const id of ids) await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
    const batch = await store.claimExpired(kit.t0 + 5000, 4, BASE_POLICY);
    expect(batch).toHaveLength(4);
    expect((await store.count(kit.t0 + 5000, BASE_POLICY)).sessions).toBe(6);
  });

  kit.case('lifetime', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, maxLifetimeMs: 3000 };
    const id = kit.newId();
    const idle = kit.newId();
    await store.create({ id, createdAt: kit.t0 }, policy);
    await store.create({ id: idle, createdAt: kit.t0 + 2500 }, policy);
    for (let t = 500; t < 3000; t += 500) {
      expect((await store.touch(id, kit.t0 + t, policy)).status).toBe('active');
      if (t >= 2500) await store.touch(idle, kit.t0 + t, policy);
    }
    expect(await store.get(id, kit.t0 + 3000, policy)).toMatchObject({
      status: 'expired',
      reason: 'lifetime',
    });
    const claimed = await store.claimExpired(kit.t0 + 3000, 10, policy);
    expect(claimed.map((c) => [c.session.id, c.tombstone.reason])).toEqual([[id, 'lifetime']]);
    const noIdle = { ...policy, idleTtlMs: 0 };
    expect(await store.claimExpired(kit.t0 + 5499, 10, noIdle)).toEqual([]);
    const later = await store.claimExpired(kit.t0 + 5500, 10, noIdle);
    expect(later.map((c) => [c.session.id, c.tombstone.reason])).toEqual([[idle, 'lifetime']]);
  });

  kit.case('tombstone expiry', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
    await store.end(id, 'closed', kit.t0 + 100, BASE_POLICY);
    expect((await store.get(id, kit.t0 + 10_099, BASE_POLICY)).status).toBe('ended');
    expect(await store.get(id, kit.t0 + 10_100, BASE_POLICY)).toEqual({ status: 'unknown' });
    await store.claimExpired(kit.t0 + 10_100, 10, BASE_POLICY);
    expect((await store.count(kit.t0 + 10_100, BASE_POLICY)).tombstones).toBe(0);

    const none = { ...BASE_POLICY, tombstoneTtlMs: 0 };
    const gone = kit.newId();
    await store.create({ id: gone, createdAt: kit.t0 }, none);
    expect((await store.end(gone, 'closed', kit.t0 + 1, none)).status).toBe('ended-now');
    expect(await store.get(gone, kit.t0 + 1, none)).toEqual({ status: 'unknown' });
  });

  kit.case('max tombstones', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, maxTombstones: 3 };
    const ids = Array.from({ length: 5 }, kit.newId);
    for (const id of ids) await store.create({ id, createdAt: kit.t0 }, policy);
    for (const [i, id] of ids.entries()) await store.end(id, 'closed', kit.t0 + i, policy);
    await store.claimExpired(kit.t0 + 10, 10, policy);
    const states = await Promise.all(ids.map((id) => store.get(id, kit.t0 + 10, policy)));
    expect(states.map((s) => s.status)).toEqual(['unknown', 'unknown', 'ended', 'ended', 'ended']);
    expect((await store.count(kit.t0 + 10, policy)).tombstones).toBe(3);
  });
}
