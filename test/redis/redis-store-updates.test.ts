import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import type { StorePolicy } from '../../src/stores/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { redisClients } from '../support/redis.js';

const { node, io, side, scratchPrefix } = await redisClients();

const T0 = systemClock.now();
const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 600_000,
  maxTombstones: 100,
  maxSessions: Infinity,
});

function storeOn(client: typeof node | typeof io = node): RedisStore {
  return new RedisStore({ client, prefix: scratchPrefix('updates') });
}

describe('RedisStore data updates', () => {
  it('reads a record written before versions existed as version 1, and updates it', async () => {
    const store = storeOn(io);
    const p = store.prefix;
    await side.hset(`${p}s:old`, { c: String(T0), l: String(T0), d: '{"n":1}' });
    await side.zadd(`${p}idle`, T0, 'old');
    const got = await store.get('old', T0 + 1, POLICY);
    expect(got.status === 'active' && got.session.version).toBe(1);
    const updated = await store.update('old', 1, { n: 2 }, T0 + 2, POLICY);
    expect(updated.status === 'updated' && updated.session).toMatchObject({
      data: { n: 2 },
      version: 2,
    });
    expect(await side.hget(`${p}s:old`, 'v')).toBe('2');
    const listed = [];
    for await (const record of store.list()) listed.push([record.id, record.version]);
    expect(listed).toEqual([['old', 2]]);
  });

  it('neither touches the session nor changes any key’s expiry', async () => {
    const store = storeOn();
    const p = store.prefix;
    await store.create({ id: 'a', data: 0, createdAt: T0 }, POLICY);
    const before = await side.pexpiretime(`${p}s:a`);
    const indexBefore = await side.pexpiretime(`${p}idle`);
    await store.update('a', 1, 1, T0 + 30_000, POLICY);
    expect(await side.pexpiretime(`${p}s:a`)).toBe(before);
    expect(await side.pexpiretime(`${p}idle`)).toBe(indexBefore);
    expect(await side.zscore(`${p}idle`, 'a')).toBe(String(T0));
    expect(await side.hget(`${p}s:a`, 'l')).toBe(String(T0));
    const never = { ...POLICY, idleTtlMs: 0 };
    await store.create({ id: 'forever', createdAt: T0 }, never);
    await store.update('forever', 1, 'x', T0 + 1, never);
    expect(await side.pttl(`${p}s:forever`)).toBe(-1);
  });

  it('keeps data of every JSON shape and size exactly', async () => {
    const store = storeOn(io);
    await store.create({ id: 'shapes', createdAt: T0 }, POLICY);
    const big = { text: 'ü 🙂 "q"\n'.repeat(6000), n: 2 ** 53 - 1, f: 1.5 };
    const values = [big, null, false, 0, '', [], { nested: [null, { a: [] }] }];
    let version = 1;
    for (const data of values) {
      const result = await store.update('shapes', version, data, T0 + version, POLICY);
      expect(result.status === 'updated' && result.session.data).toEqual(data);
      version++;
      const got = await store.get('shapes', T0 + version, POLICY);
      expect(got.status === 'active' && [got.session.data, got.session.version]).toEqual([
        data,
        version,
      ]);
    }
  });

  it('answers STORE_CORRUPT for an unreadable version or a foreign key, and writes nothing', async () => {
    const store = storeOn();
    const p = store.prefix;
    await side.hset(`${p}s:v`, { c: String(T0), l: String(T0), v: 'many' });
    await side.set(`${p}s:str`, 'hand-written');
    for (const id of ['v', 'str']) {
      await expect(store.update(id, 1, 1, T0, POLICY)).rejects.toThrow(
        expect.objectContaining({ code: 'STORE_CORRUPT' }),
      );
    }
    await expect(store.get('v', T0, POLICY)).rejects.toThrow(
      expect.objectContaining({
        code: 'STORE_CORRUPT',
        message: expect.stringContaining('version'),
      }),
    );
    expect(await side.hget(`${p}s:v`, 'd')).toBeNull();
    expect(await side.get(`${p}s:str`)).toBe('hand-written');
  });
});
