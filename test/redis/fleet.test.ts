import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type SessionEndInfo, SessionManager, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { ioRedis, redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const { node, io, side, scratchPrefix } = await redisClients();
const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});
const IDLE = 60_000;

/** Two replicas on one Redis and one prefix: one through node-redis, one through ioredis. */
function fleet(options: { maxLifetimeMs?: number } = {}) {
  const prefix = scratchPrefix('fleet');
  const clock = new ManualClock(systemClock.now());
  const make = (client: typeof node | typeof io) => {
    const manager = new SessionManager({
      store: new RedisStore({ client, prefix }),
      clock,
      idleTtlMs: IDLE,
      autoStart: false,
      ...options,
    });
    managers.push(manager);
    return manager;
  };
  return { a: make(node), b: make(io), clock, prefix, make };
}

function endedLog(...managers: SessionManager[]) {
  const log: { by: number; info: SessionEndInfo }[] = [];
  managers.forEach((m, by) => {
    m.on('ended', (info) => log.push({ by, info }));
  });
  return log;
}

describe('two managers sharing one Redis', () => {
  it('a session created through one resolves through the other', async () => {
    const { a, b } = fleet();
    const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: {} };
    const created = await a.create({
      owner: 'alice',
      kind: 'streamable-http',
      data: { n: 1 },
      init,
    });
    const seen = await b.resolve(created.id, { owner: 'alice' });
    expect(seen).toEqual({ status: 'active', session: created });
    expect(await b.resolve(created.id, { owner: 'mallory' })).toEqual({ status: 'unknown' });
    expect(await b.resolve(created.id)).toEqual({ status: 'unknown' });
    expect(await b.count()).toBe(1);
    expect((await b.list()).map((s) => s.id)).toEqual([created.id]);
  });

  it('claims each expiry exactly once while both sweep', async () => {
    const { a, b, clock } = fleet();
    const log = endedLog(a, b);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await (i % 2 ? a : b).create()).id);
    clock.advance(IDLE);
    const [byA, byB] = await Promise.all([a.sweep(), b.sweep()]);
    expect(byA + byB).toBe(40);
    expect(log.map((e) => e.info.id).sort()).toEqual([...ids].sort());
    expect(log.every((e) => e.info.reason === 'idle')).toBe(true);
    expect(await a.sweep()).toBe(0);
    expect(await b.sweep()).toBe(0);
    expect(log).toHaveLength(40);
  });

  it('runs end hooks on the replica that did not end the session', async () => {
    const { a, b, clock } = fleet();
    const log = endedLog(a, b);
    const swept = await a.create();
    const resolved = await a.create();
    const hooks: SessionEndInfo[] = [];
    b.onEnd(swept.id, (info) => hooks.push(info));
    b.onEnd(resolved.id, (info) => hooks.push(info));
    clock.advance(IDLE);
    expect(await a.sweep()).toBe(2);
    expect(hooks).toEqual([]);
    // b learns through its own sweep...
    expect(await b.sweep()).toBe(0);
    expect(hooks.map((h) => [h.id, h.reason])).toEqual([
      [swept.id, 'idle'],
      [resolved.id, 'idle'],
    ]);
    expect(log.map((e) => e.by)).toEqual([0, 0]);
  });

  it('runs end hooks when the other replica resolves an ended session', async () => {
    const { a, b } = fleet();
    const s = await a.create({ owner: 'o' });
    const hooks: string[] = [];
    b.onEnd(s.id, (info) => {
      hooks.push(info.reason);
    });
    expect(await a.end(s.id, 'deleted')).toBe(true);
    expect(await b.end(s.id, 'closed')).toBe(false);
    expect(hooks).toEqual(['deleted']);
    const tombstone = await b.resolve(s.id, { owner: 'o' });
    expect(tombstone).toMatchObject({ status: 'ended', tombstone: { reason: 'deleted' } });
  });

  it('sees the same tombstones from both sides', async () => {
    const { a, b, clock } = fleet({ maxLifetimeMs: 90_000 });
    const idle = await a.create({ owner: 'u' });
    const life = await b.create({ owner: 'u' });
    const lease = await a.acquire(life.id, { owner: 'u' });
    expect(lease.status).toBe('active');
    clock.advance(IDLE / 2);
    await a.sweep(); // renews the pinned session in Redis
    clock.advance(IDLE / 2);
    expect(await b.sweep()).toBe(1);
    clock.advance(30_000);
    await a.sweep();
    for (const m of [a, b]) {
      expect(await m.resolve(idle.id, { owner: 'u' })).toMatchObject({
        status: 'ended',
        tombstone: { id: idle.id, owner: 'u', reason: 'idle' },
      });
      expect(await m.resolve(life.id, { owner: 'u' })).toMatchObject({
        status: 'ended',
        tombstone: { id: life.id, reason: 'lifetime' },
      });
      expect((await m.stats()).tombstones).toBe(2);
    }
  });

  it('a pin held on one replica keeps the session alive for the other’s sweep', async () => {
    const { a, b, clock } = fleet();
    const s = await a.create();
    const lease = await a.acquire(s.id);
    if (lease.status !== 'active') throw new Error('not active');
    for (let i = 0; i < 4; i++) {
      clock.advance(IDLE / 2);
      await a.sweep(); // renews the pinned lease in Redis
      expect(await b.sweep()).toBe(0);
    }
    await lease.release();
    clock.advance(IDLE - 1);
    expect(await b.sweep()).toBe(0);
    clock.advance(1);
    expect(await b.sweep()).toBe(1);
  });

  it('at capacity, evict-oldest ends the least recently touched session fleet-wide', async () => {
    const prefix = scratchPrefix('cap');
    const clock = new ManualClock(systemClock.now());
    const make = (client: typeof node | typeof io) => {
      const m = new SessionManager({
        store: new RedisStore({ client, prefix }),
        clock,
        maxSessions: 2,
        capacityPolicy: 'evict-oldest',
        autoStart: false,
      });
      managers.push(m);
      return m;
    };
    const a = make(node);
    const b = make(io);
    const first = await a.create();
    clock.advance(1);
    const second = await b.create();
    clock.advance(1);
    await a.touch(first.id);
    await b.create();
    expect((await a.resolve(second.id)).status).toBe('ended');
    expect((await b.resolve(first.id)).status).toBe('active');
    expect(await a.count()).toBe(2);
  });
});

describe('restart', () => {
  it('a new manager on the same Redis resolves the sessions and tombstones of a closed one', async () => {
    const { a, clock, prefix } = fleet();
    const live = await a.create({ owner: 'o', data: { keep: true } });
    const gone = await a.create({ owner: 'o' });
    await a.end(gone.id, 'deleted');
    const hooks: string[] = [];
    a.onEnd(live.id, (info) => {
      hooks.push(info.reason);
    });
    await a.close();
    expect(hooks).toEqual(['shutdown']);

    const client = await ioRedis();
    try {
      const next = new SessionManager({
        store: new RedisStore({ client, prefix }),
        clock,
        idleTtlMs: IDLE,
        autoStart: false,
      });
      managers.push(next);
      expect(await next.resolve(live.id, { owner: 'o' })).toMatchObject({
        status: 'active',
        session: { id: live.id, data: { keep: true } },
      });
      expect(await next.resolve(gone.id, { owner: 'o' })).toMatchObject({
        status: 'ended',
        tombstone: { reason: 'deleted' },
      });
      await next.close();
    } finally {
      client.disconnect();
    }
  });
});

/** Counts the commands Redis receives under `prefix`, through MONITOR on its own connection. */
async function commandCounter(prefix: string) {
  const monitor: Redis = await side.monitor();
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    // Commands a script runs are reported with source 'lua': they are not round trips.
    if (source !== 'lua' && args.some((arg) => arg.includes(prefix))) seen.push(args);
  });
  let marks = 0;
  /** Commands under the prefix since the last call (awaits a marker so none is in flight). */
  const take = async (): Promise<string[][]> => {
    const marker = `${prefix}marker-${marks++}`;
    await side.exists(marker);
    await waitFor(() => seen.some((args) => args.includes(marker)), 'MONITOR to report the marker');
    const at = seen.findIndex((args) => args.includes(marker));
    return seen.splice(0, at + 1).slice(0, at);
  };
  return { take, stop: () => monitor.disconnect() };
}

describe('round trips per manager operation', () => {
  it.each([
    ['node-redis', node],
    ['ioredis', io],
  ] as const)(
    'touch, resolve, acquire and release cost one command each (%s)',
    async (_, client) => {
      const prefix = scratchPrefix('rtt');
      const sessions = new SessionManager({
        store: new RedisStore({ client, prefix }),
        autoStart: false,
      });
      managers.push(sessions);
      const { id } = await sessions.create({ owner: 'o' });
      // Warm-up: the first call of each script may load it (EVALSHA, NOSCRIPT, EVAL).
      await sessions.touch(id, { owner: 'o' });
      await sessions.resolve(id, { owner: 'o' });
      const warm = await sessions.acquire(id, { owner: 'o' });
      if (warm.status === 'active') await warm.release();

      const counter = await commandCounter(prefix);
      try {
        await counter.take();
        const touch = await sessions.touch(id, { owner: 'o' });
        expect(touch.status).toBe('active');
        const touchCommands = await counter.take();
        expect(touchCommands.map((args) => args[0]?.toUpperCase())).toEqual(['EVALSHA']);

        await sessions.resolve(id, { owner: 'o' });
        expect(await counter.take()).toHaveLength(1);

        const first = await sessions.acquire(id, { owner: 'o' });
        expect(await counter.take()).toHaveLength(1);
        const second = await sessions.acquire(id, { owner: 'o' });
        expect(await counter.take()).toHaveLength(1);
        if (first.status !== 'active' || second.status !== 'active') throw new Error('not active');
        await first.release();
        expect(await counter.take()).toHaveLength(0);
        await second.release();
        expect(await counter.take()).toHaveLength(1);

        await sessions.create({ owner: 'o' });
        expect(await counter.take()).toHaveLength(1);
        await sessions.end(id, 'closed');
        expect(await counter.take()).toHaveLength(1);
      } finally {
        counter.stop();
      }
    },
  );
});
