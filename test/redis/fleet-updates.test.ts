import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager, type SessionUpdater, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { redisClients } from '../support/redis.js';

const { node, io, scratchPrefix } = await redisClients();
const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** Two replicas on one Redis and one prefix: one through node-redis, one through ioredis. */
function fleet() {
  const prefix = scratchPrefix('fleet-updates');
  const clock = new ManualClock(systemClock.now());
  const make = (client: typeof node | typeof io) => {
    const manager = new SessionManager({
      store: new RedisStore({ client, prefix }),
      clock,
      idleTtlMs: 60_000,
      autoStart: false,
    });
    managers.push(manager);
    return manager;
  };
  return { a: make(node), b: make(io), clock };
}

const increment: SessionUpdater = (data) => ({
  count: ((data as { count?: number } | undefined)?.count ?? 0) + 1,
});

describe('session data updates across two replicas sharing one Redis', () => {
  it('2 x 50 concurrent increments converge to exactly 100', async () => {
    const { a, b } = fleet();
    const { id } = await a.create({ owner: 'alice', data: { count: 0 } });
    let calls = 0;
    const counted: SessionUpdater = (data, session) => {
      calls++;
      return increment(data, session);
    };
    // Each conflict means another increment landed after this caller's last read, so no call
    // conflicts more than 99 times: 100 attempts always suffice.
    const options = { owner: 'alice', maxAttempts: 100 };
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => a.update(id, counted, options)),
      ...Array.from({ length: 50 }, () => b.update(id, counted, options)),
    ]);
    const counts = results.map((r) => (r.data as { count: number }).count).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(calls).toBeGreaterThanOrEqual(100);
    for (const replica of [a, b]) {
      const seen = await replica.resolve(id, { owner: 'alice' });
      expect(seen.status === 'active' && seen.session).toMatchObject({
        data: { count: 100 },
        version: 101,
      });
    }
  });

  it('a replica updates from the data another replica wrote, and sees its end', async () => {
    const { a, b, clock } = fleet();
    const { id } = await a.create({ data: { count: 0 } });
    await a.update(id, increment);
    const seenByB: unknown[] = [];
    const second = await b.update(id, (data, session) => {
      seenByB.push([data, session.version]);
      return increment(data, session);
    });
    expect(seenByB).toEqual([[{ count: 1 }, 2]]);
    expect(second).toMatchObject({ data: { count: 2 }, version: 3 });
    await expect(b.update(id, increment, { owner: 'mallory' })).rejects.toMatchObject({
      code: 'SESSION_NOT_FOUND',
    });
    clock.advance(10);
    await a.end(id, 'deleted');
    await expect(b.update(id, increment)).rejects.toMatchObject({
      code: 'SESSION_ENDED',
      tombstone: { reason: 'deleted', endedAt: clock.now() },
    });
  });
});
