import { afterEach, describe, expect, it, vi } from 'vitest';
import { type RedisConnection, TimedConnection } from '../../src/stores/redis/connection.js';
import { CLOCK_SYNC_PERIOD_MS, RedisClock } from '../../src/stores/redis/redis-clock.js';
import { ManualClock } from '../../src/testing/index.js';

/**
 * A Redis that answers only TIME, from a server clock `skewMs` ahead of `base`; each round trip
 * moves `base` by the next pair of `legs` (to the server, back), `[0, 0]` once they run out.
 */
function fakeRedis(base: ManualClock, skewMs: number, legs: [number, number][] = []) {
  const sent: string[] = [];
  let failing = false;
  const connection: RedisConnection = {
    async send(command) {
      sent.push(command.join(' '));
      if (failing) throw new Error('connection lost');
      const [out, back] = legs.shift() ?? [0, 0];
      base.advance(out);
      const serverMs = base.now() + skewMs;
      base.advance(back);
      return [String(Math.floor(serverMs / 1000)), String((serverMs % 1000) * 1000)];
    },
    connected: () => true,
  };
  return {
    timed: new TimedConnection(connection, 1000),
    sent,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

function warnings() {
  const lines: string[] = [];
  return { lines, logger: { warn: (message: string) => lines.push(message) } };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('RedisClock', () => {
  it('reads local time until the first measurement answers, then Redis time, with no command per reading', async () => {
    const base = new ManualClock(1_700_000_000_000);
    const redis = fakeRedis(base, -120_000);
    const clock = new RedisClock(redis.timed, base, warnings().logger);
    expect(redis.sent).toEqual([]);
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(await clock.sync()).toBe(-120_000);
    expect(redis.sent).toEqual(['TIME', 'TIME', 'TIME']);
    for (let i = 0; i < 100; i++) clock.now();
    base.advance(5000);
    expect(clock.now()).toBe(1_700_000_005_000 - 120_000);
    expect(redis.sent).toHaveLength(3);
    clock.close();
  });

  it('keeps the sample with the shortest round trip and adds half of it', async () => {
    const base = new ManualClock(1_700_000_000_000);
    const redis = fakeRedis(base, 5000, [
      [40, 10],
      [5, 5],
      [30, 0],
    ]);
    const clock = new RedisClock(redis.timed, base, warnings().logger);
    expect(await clock.sync()).toBe(5000);
    expect(clock.offsetMs).toBe(5000);
  });

  it('warns once when the local clock is more than 1 s off, and not when it is close', async () => {
    const base = new ManualClock(1_700_000_000_000);
    const skewed = warnings();
    const clock = new RedisClock(fakeRedis(base, -120_000).timed, base, skewed.logger);
    await clock.sync();
    await clock.sync();
    expect(skewed.lines).toHaveLength(1);
    expect(skewed.lines[0]).toMatch(/120000 ms ahead of Redis's clock/);
    const close = warnings();
    await new RedisClock(fakeRedis(base, 1000).timed, base, close.logger).sync();
    expect(close.lines).toEqual([]);
  });

  it('measures again every 30 s after the first reading until closed; a failed measurement keeps the offset', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const base = new ManualClock(1_700_000_000_000);
    const redis = fakeRedis(base, 2000);
    const clock = new RedisClock(redis.timed, base, warnings().logger);
    vi.advanceTimersByTime(CLOCK_SYNC_PERIOD_MS * 2);
    expect(redis.sent).toEqual([]);
    clock.now();
    await clock.sync();
    expect(redis.sent).toHaveLength(3);
    vi.advanceTimersByTime(CLOCK_SYNC_PERIOD_MS);
    await clock.sync(); // joins the measurement the timer started
    expect(redis.sent).toHaveLength(6);
    redis.fail(true);
    await expect(clock.sync()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(clock.offsetMs).toBe(2000);
    clock.close();
    const count = redis.sent.length;
    vi.advanceTimersByTime(CLOCK_SYNC_PERIOD_MS * 3);
    expect(redis.sent).toHaveLength(count);
  });

  it('never reads backwards once the first offset is applied', async () => {
    const base = new ManualClock(1_700_000_000_000);
    let skew = 500;
    const connection: RedisConnection = {
      send: async () => {
        const ms = base.now() + skew;
        return [String(Math.floor(ms / 1000)), String((ms % 1000) * 1000)];
      },
      connected: () => true,
    };
    const clock = new RedisClock(new TimedConnection(connection, 1000), base, warnings().logger);
    clock.now();
    await clock.sync();
    const before = clock.now();
    expect(before).toBe(base.now() + 500);
    skew = 400;
    await clock.sync();
    expect(clock.now()).toBe(before);
    base.advance(150);
    expect(clock.now()).toBe(before + 50);
    clock.close();
  });

  it('rejects a TIME reply it cannot read', async () => {
    const connection: RedisConnection = { send: async () => 'PONG', connected: () => true };
    const clock = new RedisClock(
      new TimedConnection(connection, 1000),
      new ManualClock(),
      warnings().logger,
    );
    await expect(clock.sync()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('TIME'),
    });
  });
});
