import { afterEach, describe, expect, it } from 'vitest';
import { CreationRateLimiter } from '../../src/core/creation-rate.js';
import {
  type CreateSessionOptions,
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

  it('refuses bad values with INVALID_OPTION naming the field, the value and both limits', () => {
    const bad: unknown[] = [
      { perOwner: 0, windowMs: 1000 },
      { perOwner: 1.5, windowMs: 1000 },
      { perAddress: 0, windowMs: 1000 },
      { perAddress: 1_000_001, windowMs: 1000 },
      { perAddress: '5', windowMs: 1000 },
      { windowMs: 1000 },
      { windowMs: 1000, maxTracked: 5 },
      { perOwner: 1, windowMs: 0 },
      { perOwner: 1, windowMs: 86_400_001 },
      { perOwner: 1, windowMs: 1000, maxOwners: 0 },
      { perOwner: 1, windowMs: 1000, maxTracked: 0 },
      { perOwner: 1, windowMs: 1000, maxTracked: 5, maxOwners: 5 },
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
      const message = (error as Error).message;
      expect(message).toContain('`creationRate`');
      expect(message).toContain(JSON.stringify(creationRate));
      expect(message).toContain('perOwner?: an integer from 1 to 1000000');
      expect(message).toContain('perAddress?: an integer from 1 to 1000000');
      expect(message).toContain('at least one of perOwner and perAddress');
    }
  });

  it('tracks at most maxTracked owners, forgetting passed windows first', () => {
    const clock = new ManualClock();
    const limiter = new CreationRateLimiter(
      { perOwner: 1, perAddress: undefined, windowMs: 1_000, maxTracked: 3 },
      clock,
    );
    const take = (owner: string) => limiter.take(owner, undefined);
    take('a');
    clock.advance(10);
    take('b');
    clock.advance(10);
    take('c');
    expect(limiter.trackedOwners).toBe(3);
    // At the cap with every window open, the earliest window goes: 'a' starts over, then 'b'.
    take('d');
    expect(limiter.trackedOwners).toBe(3);
    take('a');
    expect(() => take('c')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect(() => take('a')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    // Once their windows have passed, a new owner drops every passed one.
    clock.advance(1_000);
    take('e');
    expect(limiter.trackedOwners).toBe(1);
    for (let i = 0; i < 10_000; i++) take(`owner-${i}`);
    expect(limiter.trackedOwners).toBe(3);
    expect(limiter.trackedAddresses).toBe(0);
  });

  it('tracks at most maxTracked addresses too, and takes maxOwners as its former name', async () => {
    const clock = new ManualClock();
    const limiter = new CreationRateLimiter(
      { perOwner: 1, perAddress: 1, windowMs: 1_000, maxTracked: 2 },
      clock,
    );
    for (let i = 0; i < 1_000; i++) limiter.take(`owner-${i}`, `10.0.${i >> 8}.${i & 255}`);
    expect(limiter.trackedOwners).toBe(2);
    expect(limiter.trackedAddresses).toBe(2);
    // The two latest are still counted; the earlier ones were forgotten and start over.
    expect(() => limiter.take(undefined, '10.0.3.231')).toThrow(
      expect.objectContaining({ code: 'RATE_LIMITED' }),
    );
    limiter.take(undefined, '10.0.0.0');

    const { manager } = setup({ creationRate: { perAddress: 1, windowMs: 1_000, maxOwners: 1 } });
    await manager.create({ address: '192.0.2.1' });
    await manager.create({ address: '192.0.2.2' });
    // With one address tracked, the first was forgotten when the second came: it starts over.
    await manager.create({ address: '192.0.2.1' });
    await expect(manager.create({ address: '192.0.2.1' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
  });
});

describe('creationRate.perAddress', () => {
  it('refuses an address past its rate, whoever the owner, naming the limit, not the address', async () => {
    const { manager, clock } = setup({ creationRate: { perAddress: 2, windowMs: 10_000 } });
    await manager.create({ address: '198.51.100.23' });
    clock.advance(3_000);
    await manager.create({ address: '198.51.100.23', owner: 'secret-user-7' });
    clock.advance(1_000);
    const error = await refusal(manager.create({ address: '198.51.100.23', owner: 'other' }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toBe(
      'Session creation rate per client address reached (creationRate.perAddress: 2 per 10000 ms); try again later.',
    );
    expect(error.message).not.toContain('198.51');
    expect(error.retryAfterMs).toBe(6_000);
    // Other addresses, creations without one, and owners are not limited.
    await manager.create({ address: '198.51.100.24' });
    for (let i = 0; i < 5; i++) await manager.create();
    for (let i = 0; i < 5; i++) await manager.create({ owner: 'secret-user-7' });
    expect(await manager.count()).toBe(13);
    expect((await manager.counters()).rejected.rateLimited).toBe(1);
  });

  it('frees the address once its window has passed', async () => {
    const { manager, clock } = setup({ creationRate: { perAddress: 1, windowMs: 1_000 } });
    await manager.create({ address: '192.0.2.9' });
    clock.advance(999);
    await expect(manager.create({ address: '192.0.2.9' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: 1,
    });
    clock.advance(1);
    await manager.create({ address: '192.0.2.9' });
    await expect(manager.create({ address: '192.0.2.9' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
  });

  it('with perOwner: refuses when either is reached, counting neither for a refusal', async () => {
    const { manager, clock } = setup({
      creationRate: { perOwner: 2, perAddress: 3, windowMs: 10_000 },
    });
    await manager.create({ owner: 'u', address: '192.0.2.1' });
    await manager.create({ owner: 'u', address: '192.0.2.2' });
    // The owner's limit refuses this one: the address 192.0.2.3 is not counted for it...
    const byOwner = await refusal(manager.create({ owner: 'u', address: '192.0.2.3' }));
    expect(byOwner.message).toContain('per owner reached (creationRate.perOwner: 2 per 10000 ms)');
    expect(byOwner.message).not.toContain('perAddress');
    // ...so 192.0.2.3 still has all three creations.
    for (const owner of ['a', 'b', 'c']) await manager.create({ owner, address: '192.0.2.3' });
    clock.advance(2_000);
    // The address's limit refuses this one: owner 'd' is not counted for it.
    const byAddress = await refusal(manager.create({ owner: 'd', address: '192.0.2.3' }));
    expect(byAddress.message).toContain('per client address reached');
    expect(byAddress.retryAfterMs).toBe(8_000);
    await manager.create({ owner: 'd', address: '192.0.2.4' });
    await manager.create({ owner: 'd', address: '192.0.2.4' });
    // Both reached: both named, and the retry waits for the later window.
    await manager.create({ owner: 'e', address: '192.0.2.4' });
    clock.advance(1_000);
    const both = await refusal(manager.create({ owner: 'd', address: '192.0.2.4' }));
    expect(both.message).toBe(
      'Session creation rate per owner and per client address reached ' +
        '(creationRate.perOwner: 2 per 10000 ms, creationRate.perAddress: 3 per 10000 ms); try again later.',
    );
    expect(both.retryAfterMs).toBe(9_000);
    expect(await manager.count()).toBe(8);
  });

  it('counts IPv6 addresses per /64 and IPv4-mapped addresses as IPv4', async () => {
    const { manager } = setup({ creationRate: { perAddress: 1, windowMs: 60_000 } });
    const limited = (address: string) =>
      expect(manager.create({ address })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await manager.create({ address: '2001:db8:aa:1::1' });
    await limited('2001:db8:aa:1:ffff:ffff:ffff:ffff');
    await limited('2001:0DB8:00aa:0001:0:0:0:7');
    await limited('[2001:db8:aa:1::2]');
    await limited('2001:db8:aa:1::3%eth0');
    await manager.create({ address: '2001:db8:aa:2::1' });
    await manager.create({ address: '192.0.2.77' });
    await limited('::ffff:192.0.2.77');
    await limited('::FFFF:c000:24d');
    await manager.create({ address: '::ffff:192.0.2.78' });
    await limited('192.0.2.78');
    await manager.create({ address: 'fe80::1%eth0' });
    await limited('fe80::2');
    // Not an IP address: counted as given.
    await manager.create({ address: 'unix:/run/mcp.sock' });
    await limited('unix:/run/mcp.sock');
    await manager.create({ address: '2001:db8::1::2' });
    await limited('2001:db8::1::2');
    expect(await manager.count()).toBe(7);
  });

  it('refuses a malformed address with INVALID_ARGUMENT naming it, before counting', async () => {
    const { manager } = setup({ creationRate: { perAddress: 1, windowMs: 60_000 } });
    for (const address of ['', 'x'.repeat(257), 42]) {
      const error = await refusal(manager.create({ address } as CreateSessionOptions));
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toBe('Invalid `address`: expected a string of 1 to 256 characters.');
    }
    await manager.create({ address: 'x'.repeat(256) });
    // Checked even without a creation rate.
    const plain = setup().manager;
    await expect(plain.create({ address: '' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await plain.create({ address: '192.0.2.1' });
  });

  it('never stores the address', async () => {
    const { manager } = setup({ creationRate: { perAddress: 5, windowMs: 60_000 } });
    const record = await manager.create({ address: '203.0.113.5', owner: 'u', data: { a: 1 } });
    expect(JSON.stringify(record)).not.toContain('203.0.113.5');
    const resolved = await manager.resolve(record.id, { owner: 'u' });
    expect(JSON.stringify(resolved)).not.toContain('203.0.113.5');
  });
});
