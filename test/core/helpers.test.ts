import { describe, expect, it } from 'vitest';
import { copySessionRecord } from '../../src/core/record.js';
import { hasMethods, isFunction, MAX_TIMER_MS, sweepIntervalFor } from '../../src/core/validate.js';
import { END_REASONS, MemoryStore, maskSessionId, systemClock } from '../../src/index.js';
import { RESOURCE_CLOSE_REASONS } from '../../src/resources/index.js';
import { deadlineOf, expiryReasonOf, type StorePolicy } from '../../src/stores/index.js';
import { ManualClock } from '../../src/testing/index.js';

const policy = (idleTtlMs: number, maxLifetimeMs: number): StorePolicy => ({
  idleTtlMs,
  maxLifetimeMs,
  tombstoneTtlMs: 0,
  maxTombstones: 0,
  maxSessions: Infinity,
});

describe('core helpers', () => {
  it('deadlineOf takes the earlier of the idle and lifetime deadlines; Infinity when neither', () => {
    expect(deadlineOf(0, 100, policy(50, 0))).toBe(150);
    expect(deadlineOf(0, 100, policy(50, 120))).toBe(120);
    expect(deadlineOf(0, 100, policy(0, 120))).toBe(120);
    expect(deadlineOf(0, 100, policy(0, 0))).toBe(Infinity);
  });

  it('expiryReasonOf answers lifetime once the lifetime has passed (ties too), else idle', () => {
    expect(expiryReasonOf(0, policy(10, 100), 99)).toBe('idle');
    expect(expiryReasonOf(0, policy(10, 100), 100)).toBe('lifetime');
    expect(expiryReasonOf(0, policy(10, 0), 1e12)).toBe('idle');
  });

  it('copySessionRecord detaches a live memory-store record with every field', async () => {
    const store = new MemoryStore();
    const p = policy(1000, 0);
    await store.create(
      { id: 's1', owner: 'o', kind: 'k', data: { a: 1 }, init: '{"m":1}', createdAt: 5 },
      p,
    );
    const live = await store.get('s1', 6, p);
    if (live.status !== 'active') throw new Error('expected active');
    const copy = copySessionRecord(live.session);
    expect(copy).toEqual({
      id: 's1',
      owner: 'o',
      kind: 'k',
      data: { a: 1 },
      init: '{"m":1}',
      createdAt: 5,
      lastSeenAt: 5,
      version: 1,
    });
    await store.touch('s1', 9, p);
    expect(live.session.lastSeenAt).toBe(9);
    expect(copy.lastSeenAt).toBe(5);
    expect({ ...live.session }).not.toHaveProperty('owner');
  });

  it('sweepIntervalFor takes a quarter of the deadline, clamped to 5 ms – 60 s; 60 s for none', () => {
    expect(sweepIntervalFor(1000)).toBe(250);
    expect(sweepIntervalFor(8)).toBe(5);
    expect(sweepIntervalFor(3_600_000)).toBe(60_000);
    expect(sweepIntervalFor(0)).toBe(60_000);
  });

  it('the option guards: functions, objects with methods, the longest timer delay', () => {
    expect(isFunction(() => {})).toBe(true);
    expect(isFunction({})).toBe(false);
    const clockLike = hasMethods('now');
    expect(clockLike({ now: () => 1 })).toBe(true);
    expect(clockLike({ now: 1 })).toBe(false);
    expect(clockLike(null)).toBe(false);
    expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
  });

  it('maskSessionId keeps 8 characters and hides short IDs entirely', () => {
    expect(maskSessionId('0123456789abcdef')).toBe('01234567…');
    expect(maskSessionId('short')).toBe('********');
  });

  it('systemClock reads Date.now()', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('ManualClock moves only forward, by hand', () => {
    const clock = new ManualClock(10);
    expect(clock.now()).toBe(10);
    expect(clock.advance(5)).toBe(15);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(new ManualClock().now()).toBe(1_000_000);
  });

  it('lists every end reason and resource close reason once, frozen', () => {
    expect([...END_REASONS]).toEqual([
      'idle',
      'lifetime',
      'deleted',
      'closed',
      'evicted',
      'shutdown',
    ]);
    expect(Object.isFrozen(END_REASONS)).toBe(true);
    expect(new Set(RESOURCE_CLOSE_REASONS).size).toBe(RESOURCE_CLOSE_REASONS.length);
    expect([...RESOURCE_CLOSE_REASONS].sort()).toEqual([
      'deleted',
      'failures',
      'idle',
      'session-ended',
      'shutdown',
    ]);
  });
});
