/**
 * Conformance cases of a session's life: create-if-absent, reads, touches, revival of pinned
 * sessions, ends and tombstones. Internal to the suite.
 *
 * @module
 */
import { expect } from 'vitest';
import { BASE_POLICY, type ConformanceKit } from './conformance-kit.js';

/** Registers the session-life cases. */
export function sessionCases(kit: ConformanceKit): void {
  kit.case('create and get', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    // The stored initialize is JSON text, kept and answered as it is (never re-encoded).
    const init =
      '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","clientInfo":{"name":"caf\u00e9 ☕"}}}';
    expect(
      await store.create(
        {
          id,
          owner: 'alice',
          kind: 'streamable-http',
          data: { n: 1, tags: ['x'] },
          init,
          createdAt: kit.t0,
        },
        BASE_POLICY,
      ),
    ).toBe('created');
    const got = await store.get(id, kit.t0 + 10, BASE_POLICY);
    expect(got.status).toBe('active');
    if (got.status !== 'active') return;
    expect(got.session.id).toBe(id);
    expect(got.session.owner).toBe('alice');
    expect(got.session.kind).toBe('streamable-http');
    expect(got.session.data).toEqual({ n: 1, tags: ['x'] });
    expect(got.session.init).toBe(init);
    expect(got.session.createdAt).toBe(kit.t0);
    expect(got.session.lastSeenAt).toBe(kit.t0);

    const bare = kit.newId();
    expect(await store.create({ id: bare, createdAt: kit.t0 }, BASE_POLICY)).toBe('created');
    const plain = await store.get(bare, kit.t0, BASE_POLICY);
    expect(plain.status).toBe('active');
    if (plain.status !== 'active') return;
    expect(plain.session.owner).toBeUndefined();
    expect(plain.session.kind).toBeUndefined();
    expect(plain.session.data).toBeUndefined();
    expect(plain.session.init).toBeUndefined();
    // A touch may leave the stored initialize out (it runs on every request); if it answers it,
    // it answers it unchanged.
    const touched = await store.touch(id, kit.t0 + 20, BASE_POLICY);
    expect(touched.status).toBe('active');
    if (touched.status !== 'active') return;
    expect([undefined, init]).toContain(touched.session.init);
    expect(touched.session.data).toEqual({ n: 1, tags: ['x'] });
    const again = await store.get(id, kit.t0 + 30, BASE_POLICY);
    expect(again.status === 'active' && again.session.init).toBe(init);
  });

  kit.case('create if absent', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    expect(await store.create({ id, owner: 'a', createdAt: kit.t0 }, BASE_POLICY)).toBe('created');
    expect(await store.create({ id, owner: 'b', createdAt: kit.t0 + 1 }, BASE_POLICY)).toBe(
      'exists',
    );
    const got = await store.get(id, kit.t0 + 2, BASE_POLICY);
    expect(got.status === 'active' && got.session.owner).toBe('a');
    await store.end(id, 'closed', kit.t0 + 3, BASE_POLICY);
    expect(await store.create({ id, createdAt: kit.t0 + 4 }, BASE_POLICY)).toBe('exists');
  });

  kit.case('concurrent create', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.create({ id, owner: `o${i}`, createdAt: kit.t0 }, BASE_POLICY),
      ),
    );
    expect(results.filter((r) => r === 'created')).toHaveLength(1);
    expect(results.filter((r) => r === 'exists')).toHaveLength(19);
    expect((await store.count(kit.t0, BASE_POLICY)).sessions).toBe(1);
  });

  kit.case('unknown id', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    expect(await store.get(id, kit.t0, BASE_POLICY)).toEqual({ status: 'unknown' });
    expect(await store.touch(id, kit.t0, BASE_POLICY)).toEqual({ status: 'unknown' });
    expect(await store.end(id, 'closed', kit.t0, BASE_POLICY)).toEqual({ status: 'unknown' });
  });

  kit.case('touch', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
    const touched = await store.touch(id, kit.t0 + 900, BASE_POLICY);
    expect(touched.status === 'active' && touched.session.lastSeenAt).toBe(kit.t0 + 900);
    // Without the touch it would be due at kit.t0 + 1000.
    expect(await store.claimExpired(kit.t0 + 1500, 100, BASE_POLICY)).toEqual([]);
    expect((await store.get(id, kit.t0 + 1899, BASE_POLICY)).status).toBe('active');
    const got = await store.get(id, kit.t0 + 1900, BASE_POLICY);
    expect(got.status).toBe('expired');
    expect(got.status === 'expired' && got.reason).toBe('idle');
    const claimed = await store.claimExpired(kit.t0 + 1900, 100, BASE_POLICY);
    expect(claimed.map((c) => c.session.id)).toEqual([id]);
    expect(claimed[0]!.tombstone).toMatchObject({ id, reason: 'idle', endedAt: kit.t0 + 1900 });
  });

  kit.case('owner check', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    const bare = kit.newId();
    await store.create({ id, owner: 'alice', createdAt: kit.t0 }, BASE_POLICY);
    await store.create({ id: bare, createdAt: kit.t0 }, BASE_POLICY);
    const unknown = { status: 'unknown' };
    // Another owner, or a caller without one, sees nothing and writes nothing.
    for (const stranger of ['bob', null]) {
      expect(await store.touch(id, kit.t0 + 900, BASE_POLICY, false, stranger)).toEqual(unknown);
      expect(await store.touch(id, kit.t0 + 950, BASE_POLICY, true, stranger)).toEqual(unknown);
      expect(await store.get(id, kit.t0 + 950, BASE_POLICY, stranger)).toEqual(unknown);
    }
    expect(await store.touch(bare, kit.t0 + 900, BASE_POLICY, false, 'bob')).toEqual(unknown);
    expect(await store.get(bare, kit.t0 + 900, BASE_POLICY, 'bob')).toEqual(unknown);
    const seen = await store.get(id, kit.t0 + 990, BASE_POLICY);
    expect(seen.status === 'active' && seen.session.lastSeenAt).toBe(kit.t0);
    // Past its deadline: still unknown to a stranger, never revived, due at kit.t0 + 1000.
    expect(await store.get(id, kit.t0 + 1000, BASE_POLICY, 'bob')).toEqual(unknown);
    expect(await store.touch(id, kit.t0 + 1000, BASE_POLICY, true, 'bob')).toEqual(unknown);
    const own = await store.get(id, kit.t0 + 1000, BASE_POLICY, 'alice');
    expect(own.status === 'expired' && own.reason).toBe('idle');
    // The owner's own calls, and an ownerless caller on an ownerless session, work as before.
    const mine = await store.touch(bare, kit.t0 + 900, BASE_POLICY, false, null);
    expect(mine.status === 'active' && mine.session.lastSeenAt).toBe(kit.t0 + 900);
    const claimed = await store.claimExpired(kit.t0 + 1000, 100, BASE_POLICY);
    expect(claimed.map((c) => c.session.id)).toEqual([id]);
    // A tombstone is the owner's too.
    expect(await store.get(id, kit.t0 + 1001, BASE_POLICY, 'bob')).toEqual(unknown);
    expect(await store.touch(id, kit.t0 + 1001, BASE_POLICY, false, null)).toEqual(unknown);
    const ended = await store.touch(id, kit.t0 + 1001, BASE_POLICY, false, 'alice');
    expect(ended.status === 'ended' && ended.tombstone.reason).toBe('idle');
    expect((await store.get(id, kit.t0 + 1001, BASE_POLICY)).status).toBe('ended');
  });

  kit.case('touch racing the sweep', async () => {
    const store = await kit.fresh();
    const ids = Array.from({ length: 20 }, kit.newId);
    for (const id of ids) await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
    // Touched just before the sweep: not ended.
    await store.touch(ids[0]!, kit.t0 + 999, BASE_POLICY);
    const first = await store.claimExpired(kit.t0 + 1000, 100, BASE_POLICY);
    expect(first.map((c) => c.session.id).sort()).toEqual(ids.slice(1).sort());
    expect((await store.get(ids[0]!, kit.t0 + 1000, BASE_POLICY)).status).toBe('active');

    // Racing for real: every session either was touched (and survives) or claimed, never both.
    const racers = Array.from({ length: 20 }, kit.newId);
    for (const id of racers) await store.create({ id, createdAt: kit.t0 + 1000 }, BASE_POLICY);
    const at = kit.t0 + 1999;
    const [touches, claims] = await Promise.all([
      Promise.all(racers.map((id) => store.touch(id, at, BASE_POLICY))),
      store.claimExpired(at + 1, 100, BASE_POLICY),
    ]);
    const claimedIds = new Set(claims.map((c) => c.session.id));
    racers.forEach((id, i) => {
      const touch = touches[i]!;
      if (touch.status === 'active') expect(claimedIds.has(id)).toBe(false);
      else expect(claimedIds.has(id)).toBe(true);
    });
  });

  kit.case('expired not revived', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
    const touched = await store.touch(id, kit.t0 + 1000, BASE_POLICY);
    expect(touched.status).toBe('expired');
    const claimed = await store.claimExpired(kit.t0 + 1000, 10, BASE_POLICY);
    expect(claimed.map((c) => c.session.id)).toEqual([id]);
  });

  kit.case('revive pinned', async () => {
    const store = await kit.fresh();
    const policy = { ...BASE_POLICY, maxLifetimeMs: 5000 };
    const id = kit.newId();
    await store.create({ id, createdAt: kit.t0 }, policy);
    const revived = await store.touch(id, kit.t0 + 3000, policy, true);
    expect(revived.status === 'active' && revived.session.lastSeenAt).toBe(kit.t0 + 3000);
    expect(await store.claimExpired(kit.t0 + 3999, 10, policy)).toEqual([]);
    expect(await store.touch(id, kit.t0 + 5000, policy, true)).toMatchObject({
      status: 'expired',
      reason: 'lifetime',
    });
  });

  kit.case('end', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    await store.create({ id, owner: 'bob', createdAt: kit.t0 }, BASE_POLICY);
    const ended = await store.end(id, 'deleted', kit.t0 + 5, BASE_POLICY);
    expect(ended.status).toBe('ended-now');
    if (ended.status !== 'ended-now') return;
    expect(ended.session.id).toBe(id);
    expect(ended.session.owner).toBe('bob');
    expect(ended.tombstone).toMatchObject({
      id,
      owner: 'bob',
      reason: 'deleted',
      endedAt: kit.t0 + 5,
    });
    const again = await store.end(id, 'closed', kit.t0 + 6, BASE_POLICY);
    expect(again).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'deleted', endedAt: kit.t0 + 5 },
    });
    expect(await store.get(id, kit.t0 + 7, BASE_POLICY)).toMatchObject({
      status: 'ended',
      tombstone: { id, owner: 'bob', reason: 'deleted', endedAt: kit.t0 + 5 },
    });
    expect((await store.touch(id, kit.t0 + 8, BASE_POLICY)).status).toBe('ended');

    const racers = await Promise.all(
      Array.from({ length: 10 }, () => store.end(id, 'closed', kit.t0 + 9, BASE_POLICY)),
    );
    expect(racers.every((r) => r.status === 'ended')).toBe(true);
    const once = kit.newId();
    await store.create({ id: once, createdAt: kit.t0 }, BASE_POLICY);
    const parallel = await Promise.all(
      Array.from({ length: 10 }, () => store.end(once, 'closed', kit.t0 + 9, BASE_POLICY)),
    );
    expect(parallel.filter((r) => r.status === 'ended-now')).toHaveLength(1);
    expect(await store.claimExpired(kit.t0 + 100_000, 10, BASE_POLICY)).toEqual([]);
  });
}
