import { afterEach, describe, expect, it } from 'vitest';
import { CreationRateLimiter } from '../../src/core/creation-rate.js';
import {
  isSessionError,
  SessionError,
  SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

const managers: SessionManager[] = [];

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const manager = new SessionManager({ clock, autoStart: false, ...options });
  managers.push(manager);
  return { clock, manager };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

async function refusal(promise: Promise<unknown>): Promise<SessionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionError);
  return error as SessionError;
}

describe('creationRate', () => {
  it('is off by default', async () => {
    const { manager } = setup();
    for (let i = 0; i < 50; i++) await manager.create({ owner: 'u' });
    expect(await manager.count()).toBe(50);
  });

  it('refuses an owner past its rate with RATE_LIMITED naming the limit, not the owner', async () => {
    const { manager, clock } = setup({ creationRate: { perOwner: 2, windowMs: 10_000 } });
    await manager.create({ owner: 'secret-user-7' });
    clock.advance(4_000);
    await manager.create({ owner: 'secret-user-7' });
    clock.advance(1_500);
    const error = await refusal(manager.create({ owner: 'secret-user-7' }));
    expect(isSessionError(error, 'RATE_LIMITED')).toBe(true);
    expect(error.message).toContain('2 per 10000 ms');
    expect(error.message).not.toContain('secret-user-7');
    expect(error.retryAfterMs).toBe(4_500);
    const registered = await refusal(
      manager.register('registered-id-0123456789', { owner: 'secret-user-7' }),
    );
    expect(registered.code).toBe('RATE_LIMITED');
    expect((await manager.resolve('registered-id-0123456789')).status).toBe('unknown');
    expect(await manager.count()).toBe(2);
  });

  it('frees the owner once its window has passed', async () => {
    const { manager, clock } = setup({ creationRate: { perOwner: 1, windowMs: 1_000 } });
    await manager.create({ owner: 'u' });
    clock.advance(999);
    await expect(manager.create({ owner: 'u' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 1,
    });
    clock.advance(1);
    await manager.create({ owner: 'u' });
    await expect(manager.create({ owner: 'u' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(await manager.count()).toBe(2);
  });

  it('counts each owner on its own and leaves owner-less sessions alone', async () => {
    const { manager } = setup({ creationRate: { perOwner: 1, windowMs: 60_000 } });
    await manager.create({ owner: 'a' });
    await manager.create({ owner: 'b' });
    await expect(manager.create({ owner: 'a' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(manager.create({ owner: 'b' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await manager.create({ owner: 'c' });
    for (let i = 0; i < 5; i++) await manager.create();
    expect(await manager.count()).toBe(8);
  });

  it('refuses bad values with INVALID_OPTION naming the field and the value', () => {
    const bad: unknown[] = [
      { perOwner: 0, windowMs: 1000 },
      { perOwner: 1.5, windowMs: 1000 },
      { perOwner: 1, windowMs: 0 },
      { perOwner: 1, windowMs: 86_400_001 },
      { perOwner: 1, windowMs: 1000, maxOwners: 0 },
      { perOwner: 1 },
      { perOwner: 1, windowMs: 1000, perIp: 3 },
      5,
    ];
    for (const creationRate of bad) {
      let error: unknown;
      try {
        new SessionManager({ autoStart: false, creationRate } as SessionManagerOptions);
      } catch (e) {
        error = e;
      }
      expect(isSessionError(error, 'INVALID_OPTION')).toBe(true);
      expect((error as Error).message).toContain('`creationRate`');
      expect((error as Error).message).toContain(JSON.stringify(creationRate));
      expect((error as Error).message).toContain('perOwner: an integer from 1 to 1000000');
    }
  });

  it('tracks at most maxOwners owners, forgetting passed windows first', () => {
    const clock = new ManualClock();
    const limiter = new CreationRateLimiter({ perOwner: 1, windowMs: 1_000, maxOwners: 3 }, clock);
    limiter.take('a');
    clock.advance(10);
    limiter.take('b');
    clock.advance(10);
    limiter.take('c');
    expect(limiter.tracked).toBe(3);
    // At the cap with every window open, the earliest window goes: 'a' starts over, then 'b'.
    limiter.take('d');
    expect(limiter.tracked).toBe(3);
    limiter.take('a');
    expect(() => limiter.take('c')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect(() => limiter.take('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    // Once their windows have passed, a new owner drops every passed one.
    clock.advance(1_000);
    limiter.take('e');
    expect(limiter.tracked).toBe(1);
    for (let i = 0; i < 10_000; i++) limiter.take(`owner-${i}`);
    expect(limiter.tracked).toBe(3);
  });
});
