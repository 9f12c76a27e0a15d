/**
 * Conformance cases of the owner index: the per-owner quota, the index kept by every end
 * (`end`, `claimExpired`, `evictOldest`), and listing one owner's sessions. Internal to the suite.
 *
 * @module
 */
import { expect } from 'vitest';
import type { SessionStore, StorePolicy } from '../core/store.js';
import { BASE_POLICY, type ConformanceKit } from './conformance-kit.js';

/** IDs of `owner`'s sessions as `listByOwner` answers them. */
async function owned(
  store: SessionStore,
  owner: string,
  policy: StorePolicy,
  options?: { kind?: string; limit?: number },
): Promise<string[]> {
  return (await store.listByOwner(owner, policy, options)).map((record) => record.id);
}

/** Registers the owner index cases. */
export function ownerCases(kit: ConformanceKit): void {
  kit.case('owner quota', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, maxSessionsPerOwner: 2 };
    const [a, b, c, d] = [kit.newId(), kit.newId(), kit.newId(), kit.newId()];
    const t0 = kit.t0;
    expect(await store.create({ id: a, owner: 'u', createdAt: t0 }, policy)).toBe('created');
    expect(await store.create({ id: b, owner: 'u', createdAt: t0 }, policy)).toBe('created');
    expect(await store.create({ id: c, owner: 'u', createdAt: t0 }, policy)).toBe('owner-full');
    expect((await store.get(c, t0, policy)).status).toBe('unknown');
    expect(await store.create({ id: c, owner: 'v', createdAt: t0 }, policy)).toBe('created');
    for (let i = 0; i < 3; i++) {
      expect(await store.create({ id: kit.newId(), createdAt: t0 }, policy)).toBe('created');
    }
    // Without a limit (absent or Infinity) the same owner may create more.
    expect(await store.create({ id: d, owner: 'u', createdAt: t0 }, BASE_POLICY)).toBe('created');
    await store.end(d, 'closed', t0 + 1, policy);
    // The quota is checked before the global cap: a refused owner never looks like a full store.
    const full = { ...policy, maxSessions: 6 };
    expect(await store.create({ id: d, owner: 'u', createdAt: t0 + 2 }, full)).toBe('exists');
    const e = kit.newId();
    expect(await store.create({ id: e, owner: 'u', createdAt: t0 + 2 }, full)).toBe('owner-full');
    expect(await store.create({ id: e, owner: 'w', createdAt: t0 + 2 }, full)).toBe('full');
    await store.end(a, 'closed', t0 + 3, policy);
    expect(await store.create({ id: e, owner: 'u', createdAt: t0 + 4 }, policy)).toBe('created');
    expect(await store.count(t0 + 4, policy)).toMatchObject({ sessions: 6 });
  });

  kit.case('owner index on end and claim', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, maxSessionsPerOwner: 3 };
    const ids = [kit.newId(), kit.newId(), kit.newId()];
    const t0 = kit.t0;
    for (const [n, id] of ids.entries()) {
      await store.create({ id, owner: 'u', createdAt: t0 + n }, policy);
    }
    expect(await owned(store, 'u', policy)).toEqual(ids);
    await store.end(ids[1]!, 'deleted', t0 + 10, policy);
    expect(await owned(store, 'u', policy)).toEqual([ids[0], ids[2]]);
    await store.touch(ids[2]!, t0 + 500, policy);
    const claimed = await store.claimExpired(t0 + 1001, 10, policy);
    expect(claimed.map((entry) => entry.session.id)).toEqual([ids[0]]);
    expect(await owned(store, 'u', policy)).toEqual([ids[2]]);
    // Freed slots are usable again at once: two more fit beside the survivor, not three.
    const more = [kit.newId(), kit.newId(), kit.newId()];
    const results = [];
    for (const id of more)
      results.push(await store.create({ id, owner: 'u', createdAt: t0 + 1002 }, policy));
    expect(results).toEqual(['created', 'created', 'owner-full']);
    await store.claimExpired(t0 + 10_000, 10, policy);
    expect(await owned(store, 'u', policy)).toEqual([]);
    const later = kit.newId();
    expect(await store.create({ id: later, owner: 'u', createdAt: t0 + 10_001 }, policy)).toBe(
      'created',
    );
    expect(await owned(store, 'u', policy)).toEqual([later]);
  });

  kit.case('owner index on evict', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, maxSessionsPerOwner: 2 };
    const t0 = kit.t0;
    const [a, b, c] = [kit.newId(), kit.newId(), kit.newId()];
    await store.create({ id: a, owner: 'u', createdAt: t0 }, policy);
    await store.create({ id: b, owner: 'u', createdAt: t0 + 1 }, policy);
    await store.create({ id: c, owner: 'v', createdAt: t0 + 2 }, policy);
    expect((await store.evictOldest(t0 + 3, policy))?.session.id).toBe(a);
    expect(await owned(store, 'u', policy)).toEqual([b]);
    const d = kit.newId();
    expect(await store.create({ id: d, owner: 'u', createdAt: t0 + 4 }, policy)).toBe('created');
    expect((await store.evictOldest(t0 + 5, policy))?.session.id).toBe(b);
    expect((await store.evictOldest(t0 + 5, policy))?.session.id).toBe(c);
    expect(await owned(store, 'u', policy)).toEqual([d]);
    expect(await owned(store, 'v', policy)).toEqual([]);
  });

  kit.case('list by owner', async () => {
    const store = await kit.fresh();
    const t0 = kit.t0;
    const owner = `ü 🙂 "q" {tag}:*`;
    const mine = [kit.newId(), kit.newId(), kit.newId(), kit.newId()];
    const kinds = ['sse', 'handle', 'handle', undefined];
    for (const [n, id] of mine.entries()) {
      const kind = kinds[n];
      await store.create({ id, owner, kind, data: { n }, createdAt: t0 + n }, BASE_POLICY);
    }
    await store.create(
      { id: kit.newId(), owner: 'other', kind: 'handle', createdAt: t0 },
      BASE_POLICY,
    );
    await store.create({ id: kit.newId(), kind: 'handle', createdAt: t0 }, BASE_POLICY);

    const all = await store.listByOwner(owner, BASE_POLICY);
    expect(all.map((record) => record.id)).toEqual(mine);
    expect(all[1]).toMatchObject({ owner, kind: 'handle', data: { n: 1 }, createdAt: t0 + 1 });
    expect(all[1]!.version).toBe(1);
    expect(await owned(store, owner, BASE_POLICY, { kind: 'handle' })).toEqual([mine[1], mine[2]]);
    expect(await owned(store, owner, BASE_POLICY, { kind: 'handle', limit: 1 })).toEqual([mine[1]]);
    expect(await owned(store, owner, BASE_POLICY, { limit: 3 })).toEqual(mine.slice(0, 3));
    expect(await owned(store, owner, BASE_POLICY, { kind: 'none' })).toEqual([]);
    expect(await owned(store, 'nobody', BASE_POLICY)).toEqual([]);
    expect(await owned(store, 'other', BASE_POLICY)).toHaveLength(1);
  });
}
