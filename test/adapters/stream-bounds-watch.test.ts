import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STREAM_CHECK_INTERVAL_MS, StreamWatch } from '../../src/adapters/shared/stream-watch.js';
import { ManualClock } from '../../src/testing/index.js';

/** A node:http response as the watch sees it: a socket, `writableNeedDrain`, `destroy()`. */
function fakeResponse() {
  const fake = {
    writableNeedDrain: false,
    destroyed: false,
    destroy: vi.fn(() => {
      fake.destroyed = true;
    }),
    socket: { setKeepAlive: vi.fn() },
  };
  return fake;
}

const asRes = (fake: ReturnType<typeof fakeResponse>) => fake as unknown as ServerResponse;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the manager's clock by `ms`, then runs one check of the watch. */
function tick(clock: ManualClock, ms: number): void {
  clock.advance(ms);
  vi.advanceTimersByTime(STREAM_CHECK_INTERVAL_MS);
}

describe('StreamWatch', () => {
  const bounds = { maxStreamDurationMs: 60_000, writeStallTimeoutMs: 10_000, tcpKeepAliveMs: 0 };

  it('drops a stream only when its writes stalled at every check for the timeout', () => {
    const clock = new ManualClock();
    const watch = new StreamWatch(clock, { ...bounds, maxStreamDurationMs: 0 });
    const res = fakeResponse();
    watch.open(asRes(res), undefined);
    res.writableNeedDrain = true;
    tick(clock, 0);
    tick(clock, 9_999);
    expect(res.destroy).not.toHaveBeenCalled();
    // Drained once: the stall starts over.
    res.writableNeedDrain = false;
    tick(clock, 1);
    res.writableNeedDrain = true;
    tick(clock, 0);
    tick(clock, 9_999);
    expect(res.destroy).not.toHaveBeenCalled();
    tick(clock, 1);
    expect(res.destroy).toHaveBeenCalledOnce();
    tick(clock, 60_000);
    expect(res.destroy).toHaveBeenCalledOnce();
  });

  it('calls the stall callback instead of destroy when given one', () => {
    const clock = new ManualClock();
    const watch = new StreamWatch(clock, bounds);
    const res = fakeResponse();
    const stall = vi.fn();
    watch.open(asRes(res), undefined, stall);
    res.writableNeedDrain = true;
    tick(clock, 0);
    tick(clock, 10_000);
    expect(stall).toHaveBeenCalledOnce();
    expect(res.destroy).not.toHaveBeenCalled();
  });

  it('ends a timed stream once it has been open maxStreamDurationMs, not before, and once', () => {
    const clock = new ManualClock();
    const watch = new StreamWatch(clock, bounds);
    const expire = vi.fn();
    watch.open(undefined, expire);
    tick(clock, 59_999);
    expect(expire).not.toHaveBeenCalled();
    tick(clock, 1);
    expect(expire).toHaveBeenCalledOnce();
    tick(clock, 60_000);
    expect(expire).toHaveBeenCalledOnce();
  });

  it('sets TCP keep-alive on the socket, unless tcpKeepAliveMs is 0', () => {
    const clock = new ManualClock();
    const on = fakeResponse();
    new StreamWatch(clock, { ...bounds, tcpKeepAliveMs: 30_000 }).open(asRes(on), undefined);
    expect(on.socket.setKeepAlive).toHaveBeenCalledWith(true, 30_000);
    const off = fakeResponse();
    new StreamWatch(clock, bounds).open(asRes(off), undefined);
    expect(off.socket.setKeepAlive).not.toHaveBeenCalled();
  });

  it('runs its timer only while a stream is watched, and watches nothing with every bound off', () => {
    const clock = new ManualClock();
    const watch = new StreamWatch(clock, bounds);
    const first = watch.open(asRes(fakeResponse()), vi.fn());
    const second = watch.open(undefined, vi.fn());
    expect(vi.getTimerCount()).toBe(1);
    first();
    expect(vi.getTimerCount()).toBe(1);
    second();
    second();
    expect(vi.getTimerCount()).toBe(0);
    const off = new StreamWatch(clock, {
      ...bounds,
      maxStreamDurationMs: 0,
      writeStallTimeoutMs: 0,
    });
    off.open(asRes(fakeResponse()), vi.fn());
    expect(vi.getTimerCount()).toBe(0);
  });
});
