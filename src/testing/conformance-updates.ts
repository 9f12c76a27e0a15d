/**
 * Conformance cases of data updates: versions, the compare-and-set of `update`, its owner
 * check and what it answers for sessions that are not live. Internal to the suite.
 *
 * @module
 */
import { expect } from 'vitest';
import type { SessionStore } from '../core/store.js';
import { BASE_POLICY, type ConformanceKit } from './conformance-kit.js';

/** The session's version and data as `get` answers them now (`undefined` when not active). */
async function stored(store: SessionStore, id: string, now: number) {
  const got = await store.get(id, now, BASE_POLICY);
  return got.status === 'active'
    ? { version: got.session.version, data: got.session.data }
    : undefined;
}

/** Registers the update cases. */
export function updateCases(kit: ConformanceKit): void {
  kit.case('update', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    const init = '{"method":"initialize"}';
    await store.create(
      { id, owner: 'alice', kind: 'sse', data: { n: 0 }, init, createdAt: kit.t0 },
      BASE_POLICY,
    );
    expect(await stored(store, id, kit.t0)).toEqual({ version: 1, data: { n: 0 } });
    const updated = await store.update(id, 1, { n: 1 }, kit.t0 + 500, BASE_POLICY, 'alice');
    expect(updated.status).toBe('updated');
    if (updated.status !== 'updated') return;
    const { session } = updated;
    expect([session.id, session.owner, session.kind, session.data, session.init]).toEqual([
      id,
      'alice',
      'sse',
      { n: 1 },
      init,
    ]);
    expect([session.createdAt, session.lastSeenAt, session.version]).toEqual([kit.t0, kit.t0, 2]);
    // An update is not a use: the session is still due at kit.t0 + 1000.
    expect(await stored(store, id, kit.t0 + 999)).toEqual({ version: 2, data: { n: 1 } });
    expect((await store.get(id, kit.t0 + 1000, BASE_POLICY)).status).toBe('expired');
    // A touch never changes the version.
    const other = kit.newId();
    await store.create({ id: other, createdAt: kit.t0 }, BASE_POLICY);
    const nulled = await store.update(other, 1, null, kit.t0 + 1, BASE_POLICY);
    expect(nulled.status === 'updated' && nulled.session.data).toBeNull();
    const touched = await store.touch(other, kit.t0 + 2, BASE_POLICY);
    expect(touched.status === 'active' && touched.session.version).toBe(2);
    const next = await store.update(other, 2, [1, 'two'], kit.t0 + 3, BASE_POLICY);
    expect(next.status === 'updated' && next.session.version).toBe(3);
    expect(await stored(store, other, kit.t0 + 4)).toEqual({ version: 3, data: [1, 'two'] });
  });

  kit.case('update conflict', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    await store.create({ id, data: 'a', createdAt: kit.t0 }, BASE_POLICY);
    await store.update(id, 1, 'b', kit.t0 + 1, BASE_POLICY);
    for (const stale of [1, 3]) {
      const conflict = await store.update(id, stale, 'c', kit.t0 + 2, BASE_POLICY);
      expect(conflict.status).toBe('conflict');
      if (conflict.status !== 'conflict') return;
      expect(conflict.session.version).toBe(2);
      expect(conflict.session.data).toBe('b');
    }
    expect(await stored(store, id, kit.t0 + 3)).toEqual({ version: 2, data: 'b' });
  });

  kit.case('concurrent update', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    await store.create({ id, data: 0, createdAt: kit.t0 }, BASE_POLICY);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.update(id, 1, i + 1, kit.t0 + 1, BASE_POLICY)),
    );
    const winners = results.filter((r) => r.status === 'updated');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'conflict')).toHaveLength(19);
    const won = winners[0]!.status === 'updated' ? winners[0]!.session.data : undefined;
    expect(await stored(store, id, kit.t0 + 2)).toEqual({ version: 2, data: won });
  });

  kit.case('update owner check', async () => {
    const store = await kit.fresh();
    const id = kit.newId();
    const bare = kit.newId();
    await store.create({ id, owner: 'alice', data: 1, createdAt: kit.t0 }, BASE_POLICY);
    await store.create({ id: bare, data: 1, createdAt: kit.t0 }, BASE_POLICY);
    const unknown = { status: 'unknown' };
    for (const stranger of ['bob', null]) {
      expect(await store.update(id, 1, 2, kit.t0 + 1, BASE_POLICY, stranger)).toEqual(unknown);
      // A stranger's wrong version answers the same: nothing about the session leaks.
      expect(await store.update(id, 9, 2, kit.t0 + 1, BASE_POLICY, stranger)).toEqual(unknown);
      // Past its deadline too.
      expect(await store.update(id, 1, 2, kit.t0 + 1000, BASE_POLICY, stranger)).toEqual(unknown);
    }
    expect(await store.update(bare, 1, 2, kit.t0 + 1, BASE_POLICY, 'bob')).toEqual(unknown);
    expect(await stored(store, id, kit.t0 + 2)).toEqual({ version: 1, data: 1 });
    expect(await stored(store, bare, kit.t0 + 2)).toEqual({ version: 1, data: 1 });
    const own = await store.update(id, 1, 2, kit.t0 + 3, BASE_POLICY, 'alice');
    expect(own.status === 'updated' && own.session.version).toBe(2);
    const mine = await store.update(bare, 1, 2, kit.t0 + 3, BASE_POLICY, null);
    expect(mine.status === 'updated' && mine.session.version).toBe(2);
    await store.end(id, 'closed', kit.t0 + 4, BASE_POLICY);
    expect(await store.update(id, 2, 3, kit.t0 + 5, BASE_POLICY, 'bob')).toEqual(unknown);
  });

  kit.case('update of a session that is not live', async () => {
    const store = await kit.fresh();
    expect(await store.update(kit.newId(), 1, 1, kit.t0, BASE_POLICY)).toEqual({
      status: 'unknown',
    });
    const due = kit.newId();
    await store.create({ id: due, owner: 'alice', data: 1, createdAt: kit.t0 }, BASE_POLICY);
    const expired = await store.update(due, 1, 2, kit.t0 + 1000, BASE_POLICY, 'alice');
    expect(expired).toMatchObject({ status: 'expired', reason: 'idle' });
    expect(expired.status === 'expired' && expired.session).toMatchObject({
      id: due,
      data: 1,
      version: 1,
    });
    const claimed = await store.claimExpired(kit.t0 + 1000, 10, BASE_POLICY);
    expect(claimed.map((c) => [c.session.id, c.session.data])).toEqual([[due, 1]]);
    expect(await store.update(due, 1, 2, kit.t0 + 1001, BASE_POLICY, 'alice')).toMatchObject({
      status: 'ended',
      tombstone: { id: due, owner: 'alice', reason: 'idle', endedAt: kit.t0 + 1000 },
    });
  });

  kit.case('versions in every record', async () => {
    const store = await kit.fresh();
    const [listed, ended, swept] = [kit.newId(), kit.newId(), kit.newId()];
    for (const id of [listed, ended, swept]) {
      await store.create({ id, createdAt: kit.t0 }, BASE_POLICY);
      await store.update(id, 1, 'x', kit.t0 + 1, BASE_POLICY);
      await store.update(id, 2, 'y', kit.t0 + 1, BASE_POLICY);
    }
    await store.touch(listed, kit.t0 + 500, BASE_POLICY);
    await store.touch(swept, kit.t0 + 10, BASE_POLICY);
    const records = [];
    for await (const record of store.list(BASE_POLICY)) records.push(record);
    expect(records.map((r) => r.version)).toEqual([3, 3, 3]);
    const end = await store.end(ended, 'closed', kit.t0 + 20, BASE_POLICY);
    expect(end.status === 'ended-now' && end.session.version).toBe(3);
    const claims = await store.claimExpired(kit.t0 + 1010, 10, BASE_POLICY);
    expect(claims.map((c) => [c.session.id, c.session.version, c.session.data])).toEqual([
      [swept, 3, 'y'],
    ]);
  });
}
