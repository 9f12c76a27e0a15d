import { describe, expect, it } from 'vitest';
import { SessionManager, systemClock } from '../../src/index.js';
import type { StorePolicy } from '../../src/stores/index.js';
import { DEFAULT_PREFIX, RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { keysUnder, redisClients } from '../support/redis.js';

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
  const prefix = scratchPrefix('store');
  return new RedisStore({ client, prefix });
}

describe('RedisStore options', () => {
  it('accepts a node-redis client and an ioredis instance', () => {
    expect(new RedisStore({ client: node }).shared).toBe(true);
    expect(new RedisStore({ client: io }).shared).toBe(true);
  });

  it('rejects anything else as client, naming the field and what is accepted', () => {
    for (const client of [undefined, null, {}, 'redis://127.0.0.1:6379', { get() {} }]) {
      expect(() => new RedisStore({ client } as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(/^(?=.*`client`)(?=.*node-redis)(?=.*ioredis)/s),
        }),
      );
    }
  });

  it('rejects a bad prefix, a bad timeout and unknown options', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ prefix: '' }, '`prefix`'],
      [{ prefix: 42 }, '`prefix`'],
      [{ prefix: 'x'.repeat(257) }, '`prefix`'],
      [{ commandTimeoutMs: 0 }, '`commandTimeoutMs`'],
      [{ commandTimeoutMs: 1.5 }, '`commandTimeoutMs`'],
      [{ commandTimeoutMs: Number.NaN }, '`commandTimeoutMs`'],
      [{ url: 'redis://x' }, '`url`'],
    ];
    for (const [extra, field] of cases) {
      expect(() => new RedisStore({ client: node, ...extra } as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringContaining(field),
        }),
      );
    }
    expect(() => new RedisStore(undefined as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('keeps a prefix with a hash tag and tags one without', () => {
    expect(new RedisStore({ client: node }).prefix).toBe(DEFAULT_PREFIX);
    expect(DEFAULT_PREFIX).toBe('mcps:{default}:');
    expect(new RedisStore({ client: node, prefix: 'app:{t1}:' }).prefix).toBe('app:{t1}:');
    expect(new RedisStore({ client: node, prefix: 'app:' }).prefix).toBe('app:{default}:');
    // An empty tag is no tag for Redis Cluster.
    expect(new RedisStore({ client: node, prefix: 'app:{}:' }).prefix).toBe('app:{}:{default}:');
  });

  it('close() leaves the caller’s client open', async () => {
    const store = storeOn();
    await store.close();
    expect(node.isOpen).toBe(true);
    expect(await store.count(T0, POLICY)).toEqual({ sessions: 0, tombstones: 0 });
  });
});

describe('RedisStore records', () => {
  it.each([
    ['node-redis', node],
    ['ioredis', io],
  ] as const)('round-trip every field exactly (%s)', async (_, client) => {
    const store = storeOn(client);
    const data = { n: 1.5, big: 2 ** 53 - 1, s: 'ü 🙂 "q"\n', nested: [null, true, { a: [] }] };
    const init = '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}}';
    await store.create(
      { id: 'full', owner: 'o:1', kind: 'sse', data, init, createdAt: T0 },
      POLICY,
    );
    await store.create({ id: 'null-data', data: null, createdAt: T0 + 0.25 }, POLICY);
    const full = await store.touch('full', T0 + 7, POLICY);
    // A touch leaves the stored initialize out; get and list answer it.
    expect(full).toEqual({
      status: 'active',
      session: {
        id: 'full',
        owner: 'o:1',
        kind: 'sse',
        data,
        init: undefined,
        createdAt: T0,
        lastSeenAt: T0 + 7,
        version: 1,
      },
    });
    const nullData = await store.get('null-data', T0 + 1, POLICY);
    expect(nullData.status === 'active' && nullData.session).toEqual({
      id: 'null-data',
      owner: undefined,
      kind: undefined,
      data: null,
      init: undefined,
      createdAt: T0 + 0.25,
      lastSeenAt: T0 + 0.25,
      version: 1,
    });
    const listed = [];
    for await (const record of store.list()) listed.push(record);
    expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      {
        id: 'full',
        owner: 'o:1',
        kind: 'sse',
        data,
        init,
        createdAt: T0,
        lastSeenAt: T0 + 7,
        version: 1,
      },
      expect.objectContaining({ id: 'null-data', data: null }),
    ]);
  });

  it('lists many sessions across ZSCAN pages', async () => {
    const store = storeOn();
    const ids = Array.from({ length: 450 }, (_, i) => `many-${i}`);
    await Promise.all(ids.map((id) => store.create({ id, createdAt: T0 }, POLICY)));
    const seen: string[] = [];
    for await (const record of store.list()) seen.push(record.id);
    expect(seen.sort()).toEqual([...ids].sort());
  });
});

describe('RedisStore keys in Redis', () => {
  it('gives every key a store-side TTL', async () => {
    const store = storeOn();
    const p = store.prefix;
    await store.create({ id: 'a', createdAt: T0 }, POLICY);
    await store.create({ id: 'b', owner: 'x', createdAt: T0 }, POLICY);
    const window = POLICY.idleTtlMs + POLICY.tombstoneTtlMs;
    for (const key of [`${p}s:a`, `${p}idle`, `${p}life`]) {
      const ttl = await side.pttl(key);
      expect(ttl).toBeGreaterThan(window - 5_000);
      expect(ttl).toBeLessThanOrEqual(window);
    }
    // A touch moves the deadline: the key lives until the new deadline plus the window.
    await store.touch('a', T0 + 30_000, POLICY);
    expect(await side.pttl(`${p}s:a`)).toBeGreaterThan(window - 5_000);
    await store.end('b', 'closed', T0 + 1, POLICY);
    for (const key of [`${p}t:b`, `${p}ended`]) {
      const ttl = await side.pttl(key);
      expect(ttl).toBeGreaterThan(POLICY.tombstoneTtlMs - 5_000);
      expect(ttl).toBeLessThanOrEqual(POLICY.tombstoneTtlMs);
    }
    expect(await side.exists(`${p}s:b`)).toBe(0);
    const keys = await keysUnder(side, p);
    expect(keys.sort()).toEqual([`${p}ended`, `${p}idle`, `${p}life`, `${p}s:a`, `${p}t:b`]);
    for (const key of keys) expect(await side.pttl(key)).toBeGreaterThan(0);
  });

  it('keeps a session that can never expire without a TTL', async () => {
    const store = storeOn();
    const never = { ...POLICY, idleTtlMs: 0 };
    await store.create({ id: 'forever', createdAt: T0 }, never);
    expect(await side.pttl(`${store.prefix}s:forever`)).toBe(-1);
    const lifetime = { ...POLICY, idleTtlMs: 0, maxLifetimeMs: 1000 };
    await store.create({ id: 'bounded', createdAt: T0 }, lifetime);
    const ttl = await side.pttl(`${store.prefix}s:bounded`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000 + POLICY.tombstoneTtlMs);
  });

  it('a claim drops index entries whose session key expired in Redis', async () => {
    const store = storeOn();
    await store.create({ id: 'gone', createdAt: T0 }, POLICY);
    await store.create({ id: 'kept', createdAt: T0 + 50_000 }, POLICY);
    await side.del(`${store.prefix}s:gone`);
    expect((await store.count(T0, POLICY)).sessions).toBe(2);
    expect(await store.claimExpired(T0 + 60_000, 10, POLICY)).toEqual([]);
    expect((await store.count(T0, POLICY)).sessions).toBe(1);
    expect(await side.zrange(`${store.prefix}life`, 0, -1)).toEqual(['kept']);
    expect(await store.get('gone', T0 + 60_000, POLICY)).toEqual({ status: 'unknown' });
  });

  it('a claim keeps going past vanished entries up to its limit', async () => {
    const store = storeOn();
    for (let i = 0; i < 10; i++) await store.create({ id: `v${i}`, createdAt: T0 }, POLICY);
    for (let i = 0; i < 6; i++) await side.del(`${store.prefix}s:v${i}`);
    const claimed = await store.claimExpired(T0 + 60_000, 3, POLICY);
    expect(claimed.map((c) => c.session.id)).toEqual(['v6', 'v7', 'v8']);
  });

  it('re-creates an ID whose tombstone is past its age', async () => {
    const store = storeOn();
    await store.create({ id: 'again', owner: 'a', createdAt: T0 }, POLICY);
    await store.end('again', 'closed', T0 + 1, POLICY);
    const later = T0 + 1 + POLICY.tombstoneTtlMs;
    expect(await store.create({ id: 'again', createdAt: later }, POLICY)).toBe('created');
    expect((await store.count(later, POLICY)).tombstones).toBe(0);
    const got = await store.end('again', 'deleted', later + 1, POLICY);
    expect(got.status === 'ended-now' && got.tombstone).toEqual({
      id: 'again',
      owner: undefined,
      reason: 'deleted',
      endedAt: later + 1,
    });
    expect(await store.get('again', later + 2, POLICY)).toEqual({
      status: 'ended',
      tombstone: { id: 'again', owner: undefined, reason: 'deleted', endedAt: later + 1 },
    });
  });

  it('runs again after Redis forgot its scripts (NOSCRIPT falls back to EVAL)', async () => {
    // Redis forgetting its scripts (a restart, a failover) is played by answering NOSCRIPT to
    // the next EVALSHA of this client only: a real SCRIPT FLUSH would also hit the test files
    // running beside this one, whose MONITOR counts expect one EVALSHA per call.
    let forget = 0;
    const sent: string[] = [];
    const forgetful = {
      get status() {
        return io.status;
      },
      call(command: string, ...args: string[]): Promise<unknown> {
        sent.push(command.toUpperCase());
        if (command.toUpperCase() === 'EVALSHA' && forget > 0) {
          forget--;
          return Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'));
        }
        return io.call(command, ...args);
      },
    };
    const store = storeOn(forgetful as unknown as typeof io);
    await store.create({ id: 's', createdAt: T0 }, POLICY);
    forget = 1;
    sent.length = 0;
    expect((await store.touch('s', T0 + 1, POLICY)).status).toBe('active');
    expect(sent).toEqual(['EVALSHA', 'EVAL']);
    sent.length = 0;
    expect((await store.touch('s', T0 + 2, POLICY)).status).toBe('active');
    expect(sent).toEqual(['EVALSHA']);
  });
});

describe('RedisStore with foreign or corrupt data under its prefix', () => {
  it('answers STORE_CORRUPT for a key of the wrong type, never crashes', async () => {
    const store = storeOn();
    const p = store.prefix;
    await side.set(`${p}s:str`, 'hand-written');
    for (const call of [
      () => store.get('str', T0, POLICY),
      () => store.touch('str', T0, POLICY),
      () => store.end('str', 'closed', T0, POLICY),
    ]) {
      await expect(call()).rejects.toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    }
    expect(await store.create({ id: 'str', createdAt: T0 }, POLICY)).toBe('exists');
    await side.set(`${p}t:tomb`, 'x');
    await expect(store.get('tomb', T0, POLICY)).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT' }),
    );
    await side.set(`${p}idle`, 'x');
    await expect(store.count(T0, POLICY)).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT' }),
    );
    expect(await side.get(`${p}s:str`)).toBe('hand-written');
  });

  it('answers STORE_CORRUPT for unreadable fields', async () => {
    const store = storeOn(io);
    const p = store.prefix;
    await side.hset(`${p}s:nan`, { c: 'abc', l: '1' });
    await side.hset(`${p}s:json`, { c: String(T0), l: String(T0), d: '{not json' });
    await side.hset(`${p}t:reason`, { r: 'exploded', e: String(T0) });
    await side.hset(`${p}t:when`, { r: 'closed', e: 'soon' });
    for (const id of ['nan', 'json', 'reason', 'when']) {
      await expect(store.get(id, T0, POLICY)).rejects.toThrow(
        expect.objectContaining({
          code: 'STORE_CORRUPT',
          message: expect.not.stringContaining(id === 'json' ? '{not json' : 'abc'),
        }),
      );
    }
  });

  it('a claim and a list skip entries they cannot read and leave them in place', async () => {
    const store = storeOn();
    const p = store.prefix;
    await store.create({ id: 'ok', createdAt: T0 }, POLICY);
    await store.create({ id: 'bad-json', createdAt: T0 }, POLICY);
    await side.zadd(`${p}idle`, T0, 'foreign');
    await side.zadd(`${p}life`, T0, 'foreign');
    await side.set(`${p}s:foreign`, 'not ours');
    await side.hset(`${p}s:bad-json`, 'd', '{oops');
    const listed: string[] = [];
    for await (const record of store.list()) listed.push(record.id);
    expect(listed.sort()).toEqual(['bad-json', 'ok']);
    const claimed = await store.claimExpired(T0 + 60_000, 10, POLICY);
    expect(claimed.map((c) => c.session.id).sort()).toEqual(['bad-json', 'ok']);
    expect(claimed.find((c) => c.session.id === 'bad-json')?.session.data).toBeUndefined();
    expect(await side.get(`${p}s:foreign`)).toBe('not ours');
    expect(await side.zcard(`${p}idle`)).toBe(0);
  });

  it('a manager rejects with the typed error and ends nothing', async () => {
    const store = storeOn();
    await side.set(`${store.prefix}s:weird`, 'x');
    const sessions = new SessionManager({ store, autoStart: false, clock: new ManualClock(T0) });
    const ended: string[] = [];
    sessions.on('ended', (info) => ended.push(info.id));
    await expect(sessions.resolve('weird')).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT' }),
    );
    await expect(sessions.touch('weird')).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT' }),
    );
    expect(await sessions.sweep()).toBe(0);
    expect(ended).toEqual([]);
    await sessions.close();
  });
});
