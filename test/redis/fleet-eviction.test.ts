import { afterEach, describe, expect, it } from 'vitest';
import { type SessionEndInfo, SessionManager, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { keysUnder, redisClients } from '../support/redis.js';

const { node, io, side, scratchPrefix } = await redisClients();
const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

const IDLE = 60_000;

/** Two replicas on one Redis and one prefix, at most two sessions, evicting the oldest. */
function fleet() {
  const prefix = scratchPrefix('evict-pins');
  const clock = new ManualClock(systemClock.now());
  const ended: { by: string; info: SessionEndInfo }[] = [];
  const make = (by: string, client: typeof node | typeof io) => {
    const manager = new SessionManager({
      store: new RedisStore({ client, prefix }),
      clock,
      idleTtlMs: IDLE,
      maxSessions: 2,
      capacityPolicy: 'evict-oldest',
      autoStart: false,
    });
    manager.on('ended', (info) => ended.push({ by, info }));
    managers.push(manager);
    return manager;
  };
  return { a: make('a', node), b: make('b', io), clock, prefix, ended };
}

describe('evict-oldest across replicas', () => {
  it('never evicts a session another replica holds pinned; its pin lapses one idle TTL after that replica stops renewing', async () => {
    const { a, b, clock, prefix, ended } = fleet();
    const pinned = await a.create();
    const lease = await a.acquire(pinned.id);
    expect(lease.status).toBe('active');
    // The pin is a field of the session hash, under this replica's holder ID.
    const fields = await side.hkeys(`${prefix}s:${pinned.id}`);
    expect(fields.filter((f) => f.startsWith('p:'))).toHaveLength(1);

    clock.advance(1);
    let newest = await b.create();
    /** B makes a session at capacity: the least recently touched unpinned one must go. */
    const createEvicting = async (expected: string) => {
      clock.advance(1);
      await b.touch(newest.id); // the pinned session is now the least recently touched
      clock.advance(1);
      const victim = newest;
      newest = await b.create();
      expect(ended.at(-1)).toMatchObject({ by: 'b', info: { id: expected, reason: 'evicted' } });
      expect(victim.id).toBe(expected);
    };

    await createEvicting(newest.id);
    let lastRenewal = clock.now();
    for (let i = 0; i < 4; i++) {
      clock.advance(IDLE / 2);
      await a.sweep(); // renews A's pin
      lastRenewal = clock.now();
      await createEvicting(newest.id);
    }
    expect((await b.resolve(pinned.id)).status).toBe('active');

    // A crashes: no release, no more renewals. B keeps the session alive with plain touches.
    const lapse = lastRenewal + IDLE;
    const setTime = (t: number) => clock.advance(t - clock.now());
    setTime(lastRenewal + IDLE / 3);
    await b.touch(pinned.id);
    setTime(lastRenewal + (2 * IDLE) / 3);
    await b.touch(pinned.id);
    setTime(lapse - 3);
    await createEvicting(newest.id); // at lapse - 1: still pinned
    expect((await b.resolve(pinned.id)).status).toBe('active');

    setTime(lapse);
    await b.touch(newest.id);
    await b.create();
    expect(ended.at(-1)).toMatchObject({ by: 'b', info: { id: pinned.id, reason: 'evicted' } });
    expect(ended.filter((e) => e.info.id === pinned.id)).toHaveLength(1);
    expect(await a.resolve(pinned.id)).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'evicted' },
    });
    expect(await keysUnder(side, `${prefix}s:`)).toHaveLength(2);
  });

  it('a released pin frees the session for eviction at once', async () => {
    const { a, b, clock, ended } = fleet();
    const held = await a.create();
    const lease = await a.acquire(held.id);
    if (lease.status !== 'active') throw new Error('not active');
    clock.advance(1);
    const other = await b.create();
    clock.advance(1);
    await lease.release();
    clock.advance(1);
    await b.touch(other.id);
    clock.advance(1);
    await b.create();
    expect(ended.map((e) => [e.by, e.info.id, e.info.reason])).toEqual([['b', held.id, 'evicted']]);
  });

  it('rejects with CAPACITY when every session is pinned somewhere', async () => {
    const { a, b } = fleet();
    const first = await a.create();
    const second = await b.create();
    expect((await a.acquire(first.id)).status).toBe('active');
    expect((await b.acquire(second.id)).status).toBe('active');
    await expect(b.create()).rejects.toMatchObject({ code: 'CAPACITY' });
    await expect(a.create()).rejects.toMatchObject({ code: 'CAPACITY' });
  });
});

describe('closing a replica', () => {
  it('drops its pins, so the others may evict its sessions at once', async () => {
    const { a, b, clock, ended } = fleet();
    const held = await a.create();
    expect((await a.acquire(held.id)).status).toBe('active');
    clock.advance(1);
    const other = await b.create();
    clock.advance(1);
    const third = await b.create();
    expect(ended.map((e) => e.info.id)).toEqual([other.id]);
    await a.close(); // the release restarts the idle clock of the held session
    clock.advance(1);
    await b.touch(third.id);
    clock.advance(1);
    await b.create();
    expect(ended.map((e) => [e.by, e.info.id, e.info.reason]).at(-1)).toEqual([
      'b',
      held.id,
      'evicted',
    ]);
  });
});
