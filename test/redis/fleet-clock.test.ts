import { afterEach, describe, expect, it } from 'vitest';
import { type SessionEndInfo, SessionManager, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { redisClients } from '../support/redis.js';

const { node, io, scratchPrefix } = await redisClients();
const managers: SessionManager[] = [];
const stores: RedisStore[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const IDLE = 60_000;
const SKEW = 120_000;

/**
 * Two replicas on one Redis and one prefix whose local clocks are 120 s apart (B ahead), each
 * a manual clock moved by hand; the managers get no `clock`, so they use their store's.
 */
function skewedFleet(time: 'redis' | 'local') {
  const prefix = scratchPrefix(`clock-${time}`);
  const start = systemClock.now();
  const baseA = new ManualClock(start);
  const baseB = new ManualClock(start + SKEW);
  const ended: { by: string; info: SessionEndInfo }[] = [];
  const make = (by: string, client: typeof node | typeof io, base: ManualClock) => {
    const store = new RedisStore({ client, prefix, time, baseClock: base, logger: {} });
    stores.push(store);
    const manager = new SessionManager({
      store,
      idleTtlMs: IDLE,
      autoStart: false,
      ...(time === 'local' ? { clock: base } : {}),
    });
    manager.on('ended', (info) => ended.push({ by, info }));
    managers.push(manager);
    return { store, manager };
  };
  const a = make('a', node, baseA);
  const b = make('b', io, baseB);
  /** Moves both local clocks by `ms`, as real time would. */
  const pass = (ms: number) => {
    baseA.advance(ms);
    baseB.advance(ms);
  };
  return { a, b, pass, ended };
}

describe("one clock for the fleet (time: 'redis')", () => {
  it('replicas whose clocks are 120 s apart do not end each other’s sessions early', async () => {
    const { a, b, pass, ended } = skewedFleet('redis');
    await a.store.syncClock();
    expect(Math.abs((await b.store.syncClock()) + SKEW - (await a.store.syncClock()))).toBeLessThan(
      5000,
    );
    // Both read Redis's time, within the real time that passed between the two readings.
    expect(Math.abs(a.manager.clock.now() - b.manager.clock.now())).toBeLessThan(5000);

    const session = await a.manager.create();
    pass(50_000);
    expect((await a.manager.touch(session.id)).status).toBe('active');
    pass(10_000);
    expect(await b.manager.sweep()).toBe(0);
    expect((await b.manager.resolve(session.id)).status).toBe('active');
    const fromB = await b.manager.create();
    pass(10_000);
    expect(await a.manager.sweep()).toBe(0);
    expect((await a.manager.resolve(fromB.id)).status).toBe('active');

    pass(IDLE);
    expect((await b.manager.sweep()) + (await a.manager.sweep())).toBe(2);
    expect(ended.map((e) => e.info.reason)).toEqual(['idle', 'idle']);
  });

  it('the store answers its clock to a manager without one; a manager’s own clock wins', async () => {
    const prefix = scratchPrefix('clock-choice');
    const store = new RedisStore({ client: node, prefix });
    stores.push(store);
    const plain = new SessionManager({ store, autoStart: false });
    const manual = new ManualClock();
    const own = new SessionManager({ store, clock: manual, autoStart: false });
    managers.push(plain, own);
    expect(store.clock).toBeDefined();
    expect(plain.clock).toBe(store.clock);
    expect(own.clock).toBe(manual);
    await store.syncClock();
    expect(Math.abs(plain.clock.now() - systemClock.now())).toBeLessThan(5000);
  });
});

describe("time: 'local'", () => {
  it('keeps the clock of each manager: the store has none, and skewed replicas end sessions early', async () => {
    const { a, b, pass, ended } = skewedFleet('local');
    expect(a.store.clock).toBeUndefined();
    expect(await a.store.syncClock()).toBe(0);
    const local = new SessionManager({ store: a.store, autoStart: false });
    managers.push(local);
    expect(local.clock).toBe(systemClock);

    const session = await a.manager.create();
    pass(50_000);
    await a.manager.touch(session.id);
    pass(10_000);
    // B's clock is 120 s ahead: to B the session was touched 130 s ago.
    expect(await b.manager.sweep()).toBe(1);
    expect(ended.map((e) => [e.by, e.info.id])).toEqual([['b', session.id]]);
  });

  it('refuses a bad time or baseClock option, naming the field', () => {
    for (const [extra, field] of [
      [{ time: 'utc' }, "`time`: expected 'redis' or 'local'"],
      [{ baseClock: {} }, '`baseClock`'],
    ] as const) {
      expect(() => new RedisStore({ client: node, ...extra } as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringContaining(field),
        }),
      );
    }
  });
});
