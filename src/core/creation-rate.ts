/**
 * The per-owner session-creation rate limit of one manager: a fixed window counter per owner,
 * in memory, on the manager's clock. Internal: {@link createSession} asks it before any store
 * call.
 *
 * @module
 */
import type { Clock } from './clock.js';
import { SessionError } from './errors.js';

/**
 * The `creationRate` option of `SessionManager`: at most `perOwner` sessions created per owner in
 * each window of `windowMs`, per replica.
 */
export interface CreationRate {
  /** Sessions one owner may create per window: an integer from 1 to 1_000_000. Required. */
  perOwner: number;
  /** The window, in ms: an integer from 1 to 86_400_000 (24 h). Required. */
  windowMs: number;
  /**
   * At most this many owners are tracked at once (an integer from 1 to 1_000_000). Owners whose
   * window has passed are forgotten first; when every tracked window is still open, the owner
   * whose window started earliest is forgotten (its count starts over), so memory stays bounded
   * however many owners there are. @default 10_000
   */
  maxOwners?: number;
}

/** The `creationRate` option after defaults. */
export interface ResolvedCreationRate {
  readonly perOwner: number;
  readonly windowMs: number;
  readonly maxOwners: number;
}

/** Default of {@link CreationRate.maxOwners}. */
export const DEFAULT_RATE_OWNERS = 10_000;

interface Window {
  readonly start: number;
  count: number;
}

/**
 * Counts session creations per owner in fixed windows. A window starts at an owner's first
 * creation after the previous one ended; its count resets then.
 */
export class CreationRateLimiter {
  readonly #rate: ResolvedCreationRate;
  readonly #clock: Clock;
  /** Owner to window, in order of window start (a new window is re-inserted at the end). */
  readonly #windows = new Map<string, Window>();

  constructor(rate: ResolvedCreationRate, clock: Clock) {
    this.#rate = rate;
    this.#clock = clock;
  }

  /** How many owners are tracked now (for tests and metrics). */
  get tracked(): number {
    return this.#windows.size;
  }

  /**
   * Counts one creation of `owner`, or refuses it.
   *
   * @throws SessionError `RATE_LIMITED` when `owner` created `perOwner` sessions in its current
   *   window; `retryAfterMs` is the time until that window ends. The message names the limit,
   *   never the owner. Nothing is counted for a refused creation.
   */
  take(owner: string): void {
    const now = this.#clock.now();
    const { perOwner, windowMs } = this.#rate;
    const window = this.#windows.get(owner);
    if (window !== undefined && now - window.start < windowMs) {
      if (window.count >= perOwner) {
        throw new SessionError(
          'RATE_LIMITED',
          `Session creation rate per owner reached (creationRate: ${perOwner} per ${windowMs} ms); try again later.`,
          { retryAfterMs: Math.min(windowMs, window.start + windowMs - now) },
        );
      }
      window.count++;
      return;
    }
    this.#windows.delete(owner);
    this.#forgetPassed(now);
    if (this.#windows.size >= this.#rate.maxOwners) {
      const oldest = this.#windows.keys().next();
      if (oldest.done !== true) this.#windows.delete(oldest.value);
    }
    this.#windows.set(owner, { start: now, count: 1 });
  }

  /** Drops the owners whose window has passed (they lead the map, being the oldest). */
  #forgetPassed(now: number): void {
    for (const [owner, window] of this.#windows) {
      if (now - window.start < this.#rate.windowMs) return;
      this.#windows.delete(owner);
    }
  }
}
