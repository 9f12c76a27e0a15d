import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { isSessionError, SessionManager, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { keysUnder, redisClients } from '../support/redis.js';

const { node, io, side, scratchPrefix } = await redisClients();
const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** Two replicas on one Redis and one prefix (node-redis and ioredis), one owner quota. */
function fleet(options: { maxSessionsPerOwner: number; maxLifetimeMs?: number }) {
  const prefix = scratchPrefix('owner-quota');
  const clock = new ManualClock(systemClock.now());
  const make = (client: typeof node | typeof io) => {
    const manager = new SessionManager({
      store: new RedisStore({ client, prefix }),
      clock,
      idleTtlMs: 60_000,
      autoStart: false,
      ...options,
    });
    managers.push(manager);
    return manager;
  };
  return { a: make(node), b: make(io), clock, prefix };
}

function ownerKey(prefix: string, owner: string): string {
  return `${prefix}owner:${createHash('sha1').update(owner).digest('hex')}`;
}

describe('maxSessionsPerOwner across two replicas sharing one Redis', () => {
  it('2 x 20 concurrent creations for one owner never exceed the quota', async () => {
    const { a, b } = fleet({ maxSessionsPerOwner: 5 });
    const attempts = [
      ...Array.from({ length: 20 }, () => a.create({ owner: 'racer' })),
      ...Array.from({ length: 20 }, () => b.create({ owner: 'racer' })),
    ];
    const results = await Promise.allSettled(attempts);
    const made = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(made).toHaveLength(5);
    expect(refused).toHaveLength(35);
    for (const r of refused) expect(isSessionError(r.reason, 'OWNER_QUOTA')).toBe(true);
    expect(await a.listByOwner('racer')).toHaveLength(5);
    expect(await b.count()).toBe(5);
    // An end on one replica frees a slot for the other at once.
    const [first] = await b.listByOwner('racer');
    await a.end(first!.id);
    await b.create({ owner: 'racer' });
    await expect(a.create({ owner: 'racer' })).rejects.toMatchObject({ code: 'OWNER_QUOTA' });
  });

  it('names the index by a hash of the owner, and drops it with the owner’s last session', async () => {
    const { a, b, clock, prefix } = fleet({ maxSessionsPerOwner: 2 });
    const owner = 'user:{odd}* name\n';
    const one = await a.create({ owner, kind: 'handle' });
    const key = ownerKey(prefix, owner);
    expect(await side.zrange(key, 0, -1)).toEqual([one.id]);
    expect(await side.pttl(key)).toBe(-1);
    expect((await keysUnder(side, prefix)).filter((k) => k.includes('owner:'))).toEqual([key]);
    const two = await b.create({ owner });
    expect((await a.listByOwner(owner, { kind: 'handle' })).map((s) => s.id)).toEqual([one.id]);
    await a.end(one.id);
    clock.advance(60_000);
    expect(await b.sweep()).toBe(1);
    expect(await side.exists(key)).toBe(0);
    expect((await a.resolve(two.id, { owner })).status).toBe('ended');
  });

  it('with a maximum lifetime, gives the index a TTL past every member’s key', async () => {
    const { a, prefix } = fleet({ maxSessionsPerOwner: 3, maxLifetimeMs: 120_000 });
    await a.create({ owner: 'ttl' });
    const ttl = await side.pttl(ownerKey(prefix, 'ttl'));
    // maxLifetimeMs + tombstoneTtlMs (24 h by default), give or take the round trip.
    expect(ttl).toBeGreaterThan(86_400_000 + 110_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000 + 120_000);
  });

  it('prunes members whose session key Redis expired, at the quota and when listing', async () => {
    const { a, clock, prefix } = fleet({ maxSessionsPerOwner: 2 });
    const gone = await a.create({ owner: 'prune' });
    clock.advance(1);
    const kept = await a.create({ owner: 'prune' });
    clock.advance(1);
    // As if Redis had expired the key while no replica swept.
    await side.del(`${prefix}s:${gone.id}`);
    const third = await a.create({ owner: 'prune' });
    expect((await a.listByOwner('prune')).map((s) => s.id)).toEqual([kept.id, third.id]);
    await side.del(`${prefix}s:${kept.id}`);
    expect((await a.listByOwner('prune')).map((s) => s.id)).toEqual([third.id]);
    expect(await side.zrange(ownerKey(prefix, 'prune'), 0, -1)).toEqual([third.id]);
  });
});
