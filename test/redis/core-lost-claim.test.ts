import { afterEach, describe, expect, it } from 'vitest';
import {
  type EndReason,
  type SessionEndInfo,
  SessionManager,
  type SessionStore,
  systemClock,
} from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import { redisClients } from '../support/redis.js';

const { node, io, scratchPrefix } = await redisClients();
const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

const IDLE = 60_000;

/** One replica over `store`, recording its `ended` events and end-hook runs. */
function replica(store: SessionStore, clock: ManualClock) {
  const manager = new SessionManager({ store, clock, idleTtlMs: IDLE, autoStart: false });
  managers.push(manager);
  const ended: [string, EndReason][] = [];
  const hooks: string[] = [];
  manager.on('ended', (info: SessionEndInfo) => ended.push([info.id, info.reason]));
  const hold = (id: string) =>
    manager.onEnd(id, (info) => {
      hooks.push(`${info.id}:${info.reason}`);
    });
  return { manager, ended, hooks, hold };
}

describe('two replicas on Redis, a claim reply lost', () => {
  it('fires exactly one ended per session, on the normal path and on the lost-reply path', async () => {
    const prefix = scratchPrefix('lost-claim');
    const clock = new ManualClock(systemClock.now());
    const faulty = new FaultyStore(new RedisStore({ client: node, prefix }));
    const a = replica(faulty, clock);
    const b = replica(new RedisStore({ client: io, prefix }), clock);

    // Normal path: B claims, A learns from the tombstone and only runs its hooks.
    const first = await a.manager.create({ id: 'redis-session-first' });
    a.hold(first.id);
    b.hold(first.id);
    clock.advance(IDLE + 1);
    expect(await b.manager.sweep()).toBe(1);
    await a.manager.sweep();
    expect(a.hooks).toEqual(['redis-session-first:idle']);
    expect(b.hooks).toEqual(['redis-session-first:idle']);
    expect([...a.ended, ...b.ended]).toEqual([['redis-session-first', 'idle']]);

    // Lost-reply path: Redis runs A's claim, A sees STORE_UNAVAILABLE.
    const second = await b.manager.create({ id: 'redis-session-second' });
    a.hold(second.id);
    b.hold(second.id);
    clock.advance(IDLE + 1);
    faulty.loseClaimReplies = 1;
    await expect(a.manager.sweep()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((await b.manager.resolve(second.id)).status).toBe('ended');
    expect(await b.manager.sweep()).toBe(0);
    expect(await a.manager.sweep()).toBe(0);
    await a.manager.sweep();
    clock.advance(IDLE);
    await b.manager.sweep();
    expect(a.hooks).toEqual(['redis-session-first:idle', 'redis-session-second:idle']);
    expect(b.hooks).toEqual(['redis-session-first:idle', 'redis-session-second:idle']);
    expect(a.ended).toEqual([['redis-session-second', 'idle']]);
    expect(b.ended).toEqual([['redis-session-first', 'idle']]);
    const idle = async (m: SessionManager) => (await m.stats()).ended.idle;
    expect((await idle(a.manager)) + (await idle(b.manager))).toBe(2);
  });
});
