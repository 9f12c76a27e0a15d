import type { Clock } from '../core/clock.js';

/**
 * A {@link Clock} that moves only when told to, for tests of TTLs and sweeps.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const sessions = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false });
 * clock.advance(1000);
 * await sessions.sweep();
 * ```
 */
export class ManualClock implements Clock {
  #now: number;

  /** @param start the first reading, in ms. @default 1_000_000 */
  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (never backwards: a negative `ms` throws a `RangeError`). */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance expects ms >= 0, got ${ms}.`);
    this.#now += ms;
    return this.#now;
  }
}
