// The handle rules on Redis: the core cases, two replicas sharing one namespace, and two kinds
// sharing one client on namespaces of their own.
import { afterEach, describe, expect, it } from 'vitest';
import { HandleKind } from '../../src/handles/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { describeHandleCore } from '../handles/core-cases.js';
import { keysUnder, redisClients } from '../support/redis.js';

const { node, io, side, scratchPrefix } = await redisClients();

describeHandleCore(
  'Redis',
  () => new RedisStore({ client: node, prefix: scratchPrefix('handles') }),
);

const kinds: HandleKind<string[]>[] = [];
afterEach(async () => {
  await Promise.all(kinds.splice(0).map((k) => k.close()));
});

function kindOn(store: RedisStore, clock: ManualClock, name = 'basket', prefix = 'bsk') {
  const kind = new HandleKind<string[]>({ name, prefix, store, clock, autoStart: false });
  kinds.push(kind);
  return kind;
}

describe('handles on Redis', () => {
  it('two replicas on one namespace share handles, updates, ends and owners', async () => {
    const prefix = scratchPrefix('handles-fleet');
    const clock = new ManualClock(Date.now());
    const a = kindOn(new RedisStore({ client: node, prefix }), clock);
    const b = kindOn(new RedisStore({ client: io, prefix }), clock);
    const { id } = await a.create('alice', []);
    await Promise.all([
      a.update(id, 'alice', (items) => [...items, 'from a']),
      b.update(id, 'alice', (items) => [...items, 'from b']),
    ]);
    expect([...(await b.get(id, 'alice')).data].sort()).toEqual(['from a', 'from b']);
    await expect(b.get(id, 'bob')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await b.destroy(id, 'alice');
    await expect(a.acquire(id, 'alice')).rejects.toMatchObject({
      code: 'SESSION_ENDED',
      tombstone: { reason: 'deleted' },
    });
  });

  it('keeps two kinds on one client apart, each on its own prefix under the same hash tag', async () => {
    const base = scratchPrefix('handles-kinds');
    const clock = new ManualClock(Date.now());
    const baskets = kindOn(new RedisStore({ client: node, prefix: `${base}bsk:` }), clock);
    const carts = kindOn(
      new RedisStore({ client: node, prefix: `${base}crt:` }),
      clock,
      'cart',
      'crt',
    );
    const basket = await baskets.create('alice', []);
    const cart = await carts.create('alice', []);
    expect((await baskets.list('alice')).map((h) => h.id)).toEqual([basket.id]);
    expect((await carts.list('alice')).map((h) => h.id)).toEqual([cart.id]);
    await expect(carts.get(basket.id, 'alice')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const keys = await keysUnder(side, base);
    expect(keys).toContain(`${base}bsk:s:${basket.id}`);
    expect(keys).toContain(`${base}crt:s:${cart.id}`);
  });

  it('refuses a store another kind already uses', async () => {
    const store = new RedisStore({ client: node, prefix: scratchPrefix('handles-claim') });
    kindOn(store, new ManualClock());
    expect(() => kindOn(store, new ManualClock(), 'cart', 'crt')).toThrow(
      /already used by the handle kind 'basket'/,
    );
  });
});
