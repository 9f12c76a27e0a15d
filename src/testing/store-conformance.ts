import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import type { SessionStore, StorePolicy } from '../core/store.js';

/** A store under test and how to dispose of it. */
export interface StoreUnderTest {
  store: SessionStore;
  /** Called once after the suite (delete keys, quit clients). */
  cleanup?: () => Promise<void> | void;
}

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * The base of the fake timeline, in ms. Stores that also set backend TTLs from these times
   * may want a value near `Date.now()`. @default Date.now()
   */
  baseTime?: number;
}

/** Names of the cases in the suite; every store must pass all of them. */
export type ConformanceCase =
  | 'create and get'
  | 'create if absent'
  | 'concurrent create'
  | 'unknown id'
  | 'touch'
  | 'touch racing the sweep'
  | 'expired not revived'
  | 'revive pinned'
  | 'end'
  | 'claim'
  | 'claim exactly once'
  | 'claim limit'
  | 'lifetime'
  | 'tombstone expiry'
  | 'max tombstones'
  | 'capacity'
  | 'oldest'
  | 'count and list'
  | 'special characters';

const BASE_POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 1000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 10_000,
  maxTombstones: 1000,
  maxSessions: Infinity,
});

/**
 * Registers a vitest suite that checks a {@link SessionStore} against the contract the manager
 * relies on: atomic create-if-absent, touch and expiry, tombstones, exactly-once claims (two
 * sweepers racing), lifetimes, capacity, counting and listing.
 *
 * Call it at the top level of a test file. `factory` runs once per case and should hand out a
 * store over an isolated namespace (for example a fresh key prefix). Times are passed to the
 * store explicitly, so no case sleeps.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from 'mcp-sessions/testing';
 * describeStoreConformance('MyStore', async () => ({ store: new MyStore(client, { prefix: `t:${randomUUID()}:` }) }));
 * ```
 */
export function describeStoreConformance(
  name: string,
  factory: () => Promise<StoreUnderTest> | StoreUnderTest,
  options: StoreConformanceOptions = {},
): void {
  describe(`SessionStore conformance: ${name}`, () => {
    const made: StoreUnderTest[] = [];
    let t0 = 0;
    const fresh = async (): Promise<SessionStore> => {
      const sut = await factory();
      made.push(sut);
      return sut.store;
    };
    const newId = () => `conf-${randomUUID()}`;

    beforeAll(() => {
      t0 = options.baseTime ?? systemClock.now();
    });
    afterAll(async () => {
      for (const sut of made) {
        await sut.store.close();
        await sut.cleanup?.();
      }
    });

    const cases = (title: ConformanceCase, body: () => Promise<void>) => it(title, body);

    cases('create and get', async () => {
      const store = await fresh();
      const id = newId();
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18' },
      };
      expect(
        await store.create(
          {
            id,
            owner: 'alice',
            kind: 'streamable-http',
            data: { n: 1, tags: ['x'] },
            init,
            createdAt: t0,
          },
          BASE_POLICY,
        ),
      ).toBe('created');
      const got = await store.get(id, t0 + 10, BASE_POLICY);
      expect(got.status).toBe('active');
      if (got.status !== 'active') return;
      expect(got.session.id).toBe(id);
      expect(got.session.owner).toBe('alice');
      expect(got.session.kind).toBe('streamable-http');
      expect(got.session.data).toEqual({ n: 1, tags: ['x'] });
      expect(got.session.init).toEqual(init);
      expect(got.session.createdAt).toBe(t0);
      expect(got.session.lastSeenAt).toBe(t0);

      const bare = newId();
      expect(await store.create({ id: bare, createdAt: t0 }, BASE_POLICY)).toBe('created');
      const plain = await store.get(bare, t0, BASE_POLICY);
      expect(plain.status).toBe('active');
      if (plain.status !== 'active') return;
      expect(plain.session.owner).toBeUndefined();
      expect(plain.session.kind).toBeUndefined();
      expect(plain.session.data).toBeUndefined();
      expect(plain.session.init).toBeUndefined();
    });

    cases('create if absent', async () => {
      const store = await fresh();
      const id = newId();
      expect(await store.create({ id, owner: 'a', createdAt: t0 }, BASE_POLICY)).toBe('created');
      expect(await store.create({ id, owner: 'b', createdAt: t0 + 1 }, BASE_POLICY)).toBe('exists');
      const got = await store.get(id, t0 + 2, BASE_POLICY);
      expect(got.status === 'active' && got.session.owner).toBe('a');
      await store.end(id, 'closed', t0 + 3, BASE_POLICY);
      expect(await store.create({ id, createdAt: t0 + 4 }, BASE_POLICY)).toBe('exists');
    });

    cases('concurrent create', async () => {
      const store = await fresh();
      const id = newId();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.create({ id, owner: `o${i}`, createdAt: t0 }, BASE_POLICY),
        ),
      );
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
      expect(results.filter((r) => r === 'exists')).toHaveLength(19);
      expect((await store.count(t0, BASE_POLICY)).sessions).toBe(1);
    });

    cases('unknown id', async () => {
      const store = await fresh();
      const id = newId();
      expect(await store.get(id, t0, BASE_POLICY)).toEqual({ status: 'unknown' });
      expect(await store.touch(id, t0, BASE_POLICY)).toEqual({ status: 'unknown' });
      expect(await store.end(id, 'closed', t0, BASE_POLICY)).toEqual({ status: 'unknown' });
    });

    cases('touch', async () => {
      const store = await fresh();
      const id = newId();
      await store.create({ id, createdAt: t0 }, BASE_POLICY);
      const touched = await store.touch(id, t0 + 900, BASE_POLICY);
      expect(touched.status === 'active' && touched.session.lastSeenAt).toBe(t0 + 900);
      // Without the touch it would be due at t0 + 1000.
      expect(await store.claimExpired(t0 + 1500, 100, BASE_POLICY)).toEqual([]);
      expect((await store.get(id, t0 + 1899, BASE_POLICY)).status).toBe('active');
      const got = await store.get(id, t0 + 1900, BASE_POLICY);
      expect(got.status).toBe('expired');
      expect(got.status === 'expired' && got.reason).toBe('idle');
      const claimed = await store.claimExpired(t0 + 1900, 100, BASE_POLICY);
      expect(claimed.map((c) => c.session.id)).toEqual([id]);
      expect(claimed[0]!.tombstone).toMatchObject({ id, reason: 'idle', endedAt: t0 + 1900 });
    });

    cases('touch racing the sweep', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 20 }, newId);
      for (const id of ids) await store.create({ id, createdAt: t0 }, BASE_POLICY);
      // Touched just before the sweep: not ended.
      await store.touch(ids[0]!, t0 + 999, BASE_POLICY);
      const first = await store.claimExpired(t0 + 1000, 100, BASE_POLICY);
      expect(first.map((c) => c.session.id).sort()).toEqual(ids.slice(1).sort());
      expect((await store.get(ids[0]!, t0 + 1000, BASE_POLICY)).status).toBe('active');

      // Racing for real: every session either was touched (and survives) or claimed, never both.
      const racers = Array.from({ length: 20 }, newId);
      for (const id of racers) await store.create({ id, createdAt: t0 + 1000 }, BASE_POLICY);
      const at = t0 + 1999;
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

    cases('expired not revived', async () => {
      const store = await fresh();
      const id = newId();
      await store.create({ id, createdAt: t0 }, BASE_POLICY);
      const touched = await store.touch(id, t0 + 1000, BASE_POLICY);
      expect(touched.status).toBe('expired');
      const claimed = await store.claimExpired(t0 + 1000, 10, BASE_POLICY);
      expect(claimed.map((c) => c.session.id)).toEqual([id]);
    });

    cases('revive pinned', async () => {
      const store = await fresh();
      const policy = { ...BASE_POLICY, maxLifetimeMs: 5000 };
      const id = newId();
      await store.create({ id, createdAt: t0 }, policy);
      const revived = await store.touch(id, t0 + 3000, policy, true);
      expect(revived.status === 'active' && revived.session.lastSeenAt).toBe(t0 + 3000);
      expect(await store.claimExpired(t0 + 3999, 10, policy)).toEqual([]);
      expect(await store.touch(id, t0 + 5000, policy, true)).toMatchObject({
        status: 'expired',
        reason: 'lifetime',
      });
    });

    cases('end', async () => {
      const store = await fresh();
      const id = newId();
      await store.create({ id, owner: 'bob', createdAt: t0 }, BASE_POLICY);
      const ended = await store.end(id, 'deleted', t0 + 5, BASE_POLICY);
      expect(ended.status).toBe('ended-now');
      if (ended.status !== 'ended-now') return;
      expect(ended.session.id).toBe(id);
      expect(ended.session.owner).toBe('bob');
      expect(ended.tombstone).toMatchObject({
        id,
        owner: 'bob',
        reason: 'deleted',
        endedAt: t0 + 5,
      });
      const again = await store.end(id, 'closed', t0 + 6, BASE_POLICY);
      expect(again).toMatchObject({
        status: 'ended',
        tombstone: { reason: 'deleted', endedAt: t0 + 5 },
      });
      expect(await store.get(id, t0 + 7, BASE_POLICY)).toMatchObject({
        status: 'ended',
        tombstone: { id, owner: 'bob', reason: 'deleted', endedAt: t0 + 5 },
      });
      expect((await store.touch(id, t0 + 8, BASE_POLICY)).status).toBe('ended');

      const racers = await Promise.all(
        Array.from({ length: 10 }, () => store.end(id, 'closed', t0 + 9, BASE_POLICY)),
      );
      expect(racers.every((r) => r.status === 'ended')).toBe(true);
      const once = newId();
      await store.create({ id: once, createdAt: t0 }, BASE_POLICY);
      const parallel = await Promise.all(
        Array.from({ length: 10 }, () => store.end(once, 'closed', t0 + 9, BASE_POLICY)),
      );
      expect(parallel.filter((r) => r.status === 'ended-now')).toHaveLength(1);
      expect(await store.claimExpired(t0 + 100_000, 10, BASE_POLICY)).toEqual([]);
    });

    cases('claim', async () => {
      const store = await fresh();
      const a = newId();
      const b = newId();
      await store.create({ id: a, owner: 'x', createdAt: t0 }, BASE_POLICY);
      await store.create({ id: b, createdAt: t0 + 500 }, BASE_POLICY);
      expect(await store.claimExpired(t0 + 999, 10, BASE_POLICY)).toEqual([]);
      const first = await store.claimExpired(t0 + 1000, 10, BASE_POLICY);
      expect(first.map((c) => c.session.id)).toEqual([a]);
      expect(first[0]!.session.owner).toBe('x');
      expect(first[0]!.tombstone).toMatchObject({
        id: a,
        owner: 'x',
        reason: 'idle',
        endedAt: t0 + 1000,
      });
      expect(await store.get(a, t0 + 1001, BASE_POLICY)).toMatchObject({
        status: 'ended',
        tombstone: { reason: 'idle' },
      });
      const never = { ...BASE_POLICY, idleTtlMs: 0 };
      expect(await store.claimExpired(t0 + 1e9, 10, never)).toEqual([]);
      expect((await store.get(b, t0 + 1e9, never)).status).toBe('active');
    });

    cases('claim exactly once', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 60 }, newId);
      for (const id of ids) await store.create({ id, createdAt: t0 }, BASE_POLICY);
      const sweep = async (s: SessionStore) => {
        const got: string[] = [];
        for (;;) {
          const batch = await s.claimExpired(t0 + 2000, 7, BASE_POLICY);
          got.push(...batch.map((c) => c.session.id));
          if (batch.length < 7) return got;
        }
      };
      // Two sweepers over the same store instance, racing.
      const [x, y] = await Promise.all([sweep(store), sweep(store)]);
      expect([...x, ...y].sort()).toEqual([...ids].sort());
      expect(new Set([...x, ...y]).size).toBe(ids.length);
    });

    cases('claim limit', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 10 }, newId);
      for (const id of ids) await store.create({ id, createdAt: t0 }, BASE_POLICY);
      const batch = await store.claimExpired(t0 + 5000, 4, BASE_POLICY);
      expect(batch).toHaveLength(4);
      expect((await store.count(t0 + 5000, BASE_POLICY)).sessions).toBe(6);
    });

    cases('lifetime', async () => {
      const store = await fresh();
      const policy = { ...BASE_POLICY, maxLifetimeMs: 3000 };
      const id = newId();
      const idle = newId();
      await store.create({ id, createdAt: t0 }, policy);
      await store.create({ id: idle, createdAt: t0 + 2500 }, policy);
      for (let t = 500; t < 3000; t += 500) {
        expect((await store.touch(id, t0 + t, policy)).status).toBe('active');
        if (t >= 2500) await store.touch(idle, t0 + t, policy);
      }
      expect(await store.get(id, t0 + 3000, policy)).toMatchObject({
        status: 'expired',
        reason: 'lifetime',
      });
      const claimed = await store.claimExpired(t0 + 3000, 10, policy);
      expect(claimed.map((c) => [c.session.id, c.tombstone.reason])).toEqual([[id, 'lifetime']]);
      const noIdle = { ...policy, idleTtlMs: 0 };
      expect(await store.claimExpired(t0 + 5499, 10, noIdle)).toEqual([]);
      const later = await store.claimExpired(t0 + 5500, 10, noIdle);
      expect(later.map((c) => [c.session.id, c.tombstone.reason])).toEqual([[idle, 'lifetime']]);
    });

    cases('tombstone expiry', async () => {
      const store = await fresh();
      const id = newId();
      await store.create({ id, createdAt: t0 }, BASE_POLICY);
      await store.end(id, 'closed', t0 + 100, BASE_POLICY);
      expect((await store.get(id, t0 + 10_099, BASE_POLICY)).status).toBe('ended');
      expect(await store.get(id, t0 + 10_100, BASE_POLICY)).toEqual({ status: 'unknown' });
      await store.claimExpired(t0 + 10_100, 10, BASE_POLICY);
      expect((await store.count(t0 + 10_100, BASE_POLICY)).tombstones).toBe(0);

      const none = { ...BASE_POLICY, tombstoneTtlMs: 0 };
      const gone = newId();
      await store.create({ id: gone, createdAt: t0 }, none);
      expect((await store.end(gone, 'closed', t0 + 1, none)).status).toBe('ended-now');
      expect(await store.get(gone, t0 + 1, none)).toEqual({ status: 'unknown' });
    });

    cases('max tombstones', async () => {
      const store = await fresh();
      const policy = { ...BASE_POLICY, maxTombstones: 3 };
      const ids = Array.from({ length: 5 }, newId);
      for (const id of ids) await store.create({ id, createdAt: t0 }, policy);
      for (const [i, id] of ids.entries()) await store.end(id, 'closed', t0 + i, policy);
      await store.claimExpired(t0 + 10, 10, policy);
      const states = await Promise.all(ids.map((id) => store.get(id, t0 + 10, policy)));
      expect(states.map((s) => s.status)).toEqual([
        'unknown',
        'unknown',
        'ended',
        'ended',
        'ended',
      ]);
      expect((await store.count(t0 + 10, policy)).tombstones).toBe(3);
    });

    cases('capacity', async () => {
      const store = await fresh();
      const policy = { ...BASE_POLICY, maxSessions: 3 };
      const ids = Array.from({ length: 4 }, newId);
      const results = [];
      for (const id of ids) results.push(await store.create({ id, createdAt: t0 }, policy));
      expect(results).toEqual(['created', 'created', 'created', 'full']);
      await store.end(ids[0]!, 'closed', t0 + 1, policy);
      expect(await store.create({ id: ids[3]!, createdAt: t0 + 2 }, policy)).toBe('created');
    });

    cases('oldest', async () => {
      const store = await fresh();
      const [a, b, c] = [newId(), newId(), newId()];
      await store.create({ id: a, createdAt: t0 }, BASE_POLICY);
      await store.create({ id: b, createdAt: t0 + 1 }, BASE_POLICY);
      await store.create({ id: c, createdAt: t0 + 2 }, BASE_POLICY);
      await store.touch(a, t0 + 3, BASE_POLICY);
      expect(await store.oldest(2, BASE_POLICY)).toEqual([b, c]);
      expect(await store.oldest(10, BASE_POLICY)).toEqual([b, c, a]);
    });

    cases('count and list', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 25 }, newId);
      for (const id of ids) await store.create({ id, data: { id }, createdAt: t0 }, BASE_POLICY);
      await store.end(ids[0]!, 'closed', t0 + 1, BASE_POLICY);
      expect(await store.count(t0 + 1, BASE_POLICY)).toEqual({ sessions: 24, tombstones: 1 });
      const listed: string[] = [];
      for await (const record of store.list(BASE_POLICY)) {
        expect(record.data).toEqual({ id: record.id });
        listed.push(record.id);
      }
      expect(listed.sort()).toEqual(ids.slice(1).sort());
    });

    cases('special characters', async () => {
      const store = await fresh();
      const id = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~${randomUUID()}`;
      expect(await store.create({ id, owner: 'ü 🙂 "q"', createdAt: t0 }, BASE_POLICY)).toBe(
        'created',
      );
      const got = await store.touch(id, t0 + 1, BASE_POLICY);
      expect(got.status === 'active' && got.session.owner).toBe('ü 🙂 "q"');
      expect((await store.end(id, 'closed', t0 + 2, BASE_POLICY)).status).toBe('ended-now');
    });
  });
}
