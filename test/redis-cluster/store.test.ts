import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { StorePolicy } from '../../src/core/store.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { scripts } from '../../src/stores/redis/scripts.js';
import { ManualClock } from '../../src/testing/index.js';
import {
  type ClusterLibrary,
  clusterClients,
  clusterKeysUnder,
  ioCluster,
  masterOf,
  type NodeCluster,
} from './cluster-support.js';

const { node, io, side, scratchPrefix, scratchPrefixPerMaster } = await clusterClients();

const T0 = 1_000_000;

/** Small limits, so that one workload ends sessions every way and trims tombstones. */
const POLICY: StorePolicy = {
  idleTtlMs: 1000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 10_000,
  maxTombstones: 2,
  maxSessions: 3,
  maxSessionsPerOwner: 3,
};

function clientOf(library: ClusterLibrary): NodeCluster | Cluster {
  return library === 'node-redis' ? node : io;
}

function storeOn(library: ClusterLibrary, prefix: string): RedisStore {
  const store = new RedisStore({
    client: clientOf(library),
    prefix,
    time: 'local',
    evictionPolicy: 'ignore',
  });
  onTestFinished(() => store.close());
  return store;
}

/** Keys under `prefix` per master address; only the prefix's master should hold any. */
async function keysByMaster(prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const master of side.nodes('master')) {
    const address = `${master.options.host}:${master.options.port}`;
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await master.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    if (count > 0) counts.set(address, count);
  }
  return counts;
}

/**
 * Runs every script of the store on `store`: creates up to capacity and the owner quota, writes
 * event logs, evicts, touches with a pin, updates, lists (all and by owner), ends, claims, and
 * trims tombstones beyond maxTombstones. Answers what it saw.
 */
async function workload(store: RedisStore, prefix: string) {
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  for (const [n, id] of ids.entries()) {
    expect(await store.create({ id, owner: 'alice', createdAt: T0 + n }, POLICY)).toBe('created');
    await store.eventLog(id, POLICY).storeEvent('stream-1', { n });
  }
  const extra = { id: randomUUID(), owner: 'alice', createdAt: T0 + 3 };
  expect(await store.create(extra, POLICY)).toBe('owner-full');
  expect(await store.create({ id: randomUUID(), createdAt: T0 + 3 }, POLICY)).toBe('full');
  expect(await side.exists(`${prefix}events:${ids[0]}`)).toBe(1);

  const evicted = await store.evictOldest(T0 + 4, POLICY);
  expect(evicted?.session.id).toBe(ids[0]);
  expect(await side.exists(`${prefix}events:${ids[0]}`)).toBe(0);

  const pin = { holder: 'replica-a', hold: true };
  const touched = await store.touch(ids[1]!, T0 + 5, POLICY, false, undefined, pin);
  expect(touched.status).toBe('active');
  const updated = await store.update(ids[2]!, 1, { note: 'x' }, T0 + 6, POLICY);
  expect(updated.status).toBe('updated');
  expect((await store.listByOwner('alice', POLICY)).map((s) => s.id)).toEqual([ids[1], ids[2]]);
  const listed: string[] = [];
  for await (const record of store.list()) listed.push(record.id);
  expect(listed.sort()).toEqual([ids[1], ids[2]].sort());

  const ended = await store.end(ids[1]!, 'closed', T0 + 7, POLICY);
  expect(ended.status).toBe('ended-now');
  expect(await side.exists(`${prefix}events:${ids[1]}`)).toBe(0);

  const claimed = await store.claimExpired(T0 + 6 + POLICY.idleTtlMs, 10, POLICY);
  expect(claimed.map((c) => c.session.id)).toEqual([ids[2]]);
  expect(await side.exists(`${prefix}events:${ids[2]}`)).toBe(0);

  // Three sessions ended, two tombstones kept: the oldest (the evicted one) was trimmed.
  expect(await store.count(T0 + 10_000, POLICY)).toEqual({ sessions: 0, tombstones: 2 });
  expect(await side.exists(`${prefix}t:${ids[0]}`)).toBe(0);
  const gone = await store.get(ids[2]!, T0 + 10_000, POLICY);
  expect(gone.status === 'ended' && gone.tombstone.reason).toBe('idle');
  expect(await store.listByOwner('alice', POLICY)).toEqual([]);
}

describe.each<ClusterLibrary>(['node-redis', 'ioredis'])(
  'RedisStore on a cluster (%s)',
  (library) => {
    it('runs every script on prefixes served by each of the three masters', async () => {
      const prefixes = await scratchPrefixPerMaster(`store-${library}`);
      const masters = new Set<string>();
      for (const prefix of prefixes) {
        const store = storeOn(library, prefix);
        await workload(store, prefix);
        // What the workload left (tombstones, the tombstone index) is all on the prefix's master.
        const master = await masterOf(side, prefix);
        masters.add(master);
        const byMaster = await keysByMaster(prefix);
        expect([...byMaster.keys()]).toEqual([master]);
      }
      expect(masters.size).toBe(3);
    });

    it('syncs its clock to Redis TIME', async () => {
      const base = new ManualClock(Date.now());
      const store = new RedisStore({
        client: clientOf(library),
        prefix: scratchPrefix('clock'),
        baseClock: base,
        evictionPolicy: 'ignore',
      });
      onTestFinished(() => store.close());
      const offset = await store.syncClock();
      // The test cluster runs on this host: its clock is the local one, give or take a second.
      expect(Math.abs(offset)).toBeLessThan(1000);
      expect(store.clock?.now()).toBe(base.now() + offset);
    });

    it('reads maxmemory-policy on every master', async () => {
      const store = new RedisStore({
        client: clientOf(library),
        prefix: scratchPrefix('policy'),
        time: 'local',
        evictionPolicy: 'refuse',
      });
      onTestFinished(() => store.close());
      expect(await store.checkEvictionPolicy()).toBe('noeviction');
    });

    it('loads a script again on a master that lost it (NOSCRIPT, then EVAL)', async () => {
      const prefix = scratchPrefix('noscript');
      const store = storeOn(library, prefix);
      const id = randomUUID();
      await store.create({ id, createdAt: T0 }, POLICY);
      const home = await masterOf(side, prefix);
      const master = side
        .nodes('master')
        .find((m) => `${m.options.host}:${m.options.port}` === home)!;
      await master.script('FLUSH');
      expect(await master.script('EXISTS', scripts.get.sha)).toEqual([0]);
      expect((await store.get(id, T0, POLICY)).status).toBe('active');
      expect(await master.script('EXISTS', scripts.get.sha)).toEqual([1]);
    });

    it('keeps keys of the whole namespace in one slot', async () => {
      const prefix = scratchPrefix('slot');
      const store = storeOn(library, prefix);
      const id = randomUUID();
      await store.create({ id, owner: 'bob', createdAt: T0 }, POLICY);
      await store.eventLog(id, POLICY).storeEvent('s', { hello: 1 });
      await store.end(id, 'closed', T0 + 1, POLICY);
      const keys = await clusterKeysUnder(side, prefix);
      expect(keys.length).toBeGreaterThan(0);
      const slots = new Set(
        await Promise.all(keys.map((key) => side.call('CLUSTER', 'KEYSLOT', key))),
      );
      expect(slots.size).toBe(1);
    });
  },
);

describe('RedisStore on a cluster: eviction policy', () => {
  it("refuses when any master evicts, even one that does not hold the prefix's slot", async () => {
    const prefix = scratchPrefix('evicting');
    const home = await masterOf(side, prefix);
    const other = side
      .nodes('master')
      .find((master) => `${master.options.host}:${master.options.port}` !== home)!;
    await other.config('SET', 'maxmemory-policy', 'allkeys-lru');
    onTestFinished(async () => {
      await other.config('SET', 'maxmemory-policy', 'noeviction');
    });
    for (const client of [node, io]) {
      const store = new RedisStore({ client, prefix, time: 'local', evictionPolicy: 'refuse' });
      onTestFinished(() => store.close());
      await expect(store.checkEvictionPolicy()).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringContaining("'allkeys-lru'"),
      });
      await expect(store.count(T0, POLICY)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    }
  });
});

describe('RedisStore on a cluster: what it refuses', () => {
  it('refuses an ioredis Cluster that reads from replicas (scaleReads)', async () => {
    const replicaReads = await ioCluster({ scaleReads: 'slave' });
    onTestFinished(() => replicaReads.disconnect());
    expect(() => new RedisStore({ client: replicaReads })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining("scaleReads 'master'"),
      }),
    );
    expect(() => new RedisStore({ client: io, time: 'local' })).not.toThrow();
  });
});
