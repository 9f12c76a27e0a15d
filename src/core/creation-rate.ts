/**
 * The session-creation rate limit of one manager: fixed-window counters per owner and per client
 * address, in memory, on the manager's clock. Internal: {@link createSession} asks it before any
 * store call.
 *
 * @module
 */
import { addressKey } from './client-address.js';
import type { Clock } from './clock.js';
import { SessionError } from './errors.js';

/**
 * The `creationRate` option of `SessionManager`: at most `perOwner` sessions created per owner
 * and at most `perAddress` per client address in each window of `windowMs`, per replica. At
 * least one of `perOwner` and `perAddress` is required.
 */
export interface CreationRate {
  /**
   * Sessions one owner may create per window: an integer from 1 to 1_000_000. Sessions without
   * an owner are not counted here. @default none (owners are not limited)
   */
  perOwner?: number;
  /**
   * Sessions one client address may create per window, whoever the owner: an integer from 1 to
   * 1_000_000. Counts the `address` given to `create` (the HTTP handlers give the client's
   * network address); creations without one are not counted here. IPv4 addresses count one by
   * one; IPv6 addresses count by /64 prefix (one host is handed a whole /64), and IPv4-mapped
   * IPv6 addresses (`::ffff:192.0.2.7`) as their IPv4 address. @default none (addresses are
   * not limited)
   */
  perAddress?: number;
  /** The window, in ms: an integer from 1 to 86_400_000 (24 h). Required. */
  windowMs: number;
  /**
   * At most this many owners, and this many addresses, are tracked at once (an integer from 1
   * to 1_000_000). Those whose window has passed are forgotten first; when every tracked window
   * is still open, the one whose window started earliest is forgotten (its count starts over),
   * so memory stays bounded however many owners and addresses there are. @default 10_000
   */
  maxTracked?: number;
  /**
   * The former name of {@link CreationRate.maxTracked}, still accepted (not both).
   * @deprecated use `maxTracked`
   */
  maxOwners?: number;
}

/** The `creationRate` option after defaults. */
export interface ResolvedCreationRate {
  readonly perOwner: number | undefined;
  readonly perAddress: number | undefined;
  readonly windowMs: number;
  readonly maxTracked: number;
}

/** Default of {@link CreationRate.maxTracked}. */
export const DEFAULT_RATE_TRACKED = 10_000;

interface Window {
  readonly start: number;
  count: number;
}

/**
 * Fixed windows per key: a window starts at a key's first creation after its previous window
 * ended; its count resets then. At most `maxTracked` keys are kept.
 */
class FixedWindows {
  /** Key to window, in order of window start (a new window is re-inserted at the end). */
  readonly #windows = new Map<string, Window>();

  constructor(
    /** The option field of {@link FixedWindows.limit}, which tells what is counted. */
    readonly field: 'perOwner' | 'perAddress',
    readonly limit: number,
    readonly windowMs: number,
    readonly maxTracked: number,
  ) {}

  /** What is counted, as a refusal names it. */
  get per(): string {
    return this.field === 'perOwner' ? 'owner' : 'client address';
  }

  get size(): number {
    return this.#windows.size;
  }

  /** How long, in ms, `key` must wait before it may create again; `0`: it may now. */
  waitOf(key: string, now: number): number {
    const window = this.#windows.get(key);
    if (window === undefined || now - window.start >= this.windowMs) return 0;
    if (window.count < this.limit) return 0;
    return Math.min(this.windowMs, window.start + this.windowMs - now);
  }

  /** Counts one creation of `key` (allowed by {@link FixedWindows.waitOf}). */
  count(key: string, now: number): void {
    const window = this.#windows.get(key);
    if (window !== undefined && now - window.start < this.windowMs) {
      window.count++;
      return;
    }
    this.#windows.delete(key);
    this.#forgetPassed(now);
    if (this.#windows.size >= this.maxTracked) {
      const oldest = this.#windows.keys().next();
      if (oldest.done !== true) this.#windows.delete(oldest.value);
    }
    this.#windows.set(key, { start: now, count: 1 });
  }

  /** Drops the keys whose window has passed (they lead the map, being the oldest). */
  #forgetPassed(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start < this.windowMs) return;
      this.#windows.delete(key);
    }
  }
}

/** Counts session creations per owner and per client address in fixed windows. */
export class CreationRateLimiter {
  readonly #clock: Clock;
  readonly #owners: FixedWindows | undefined;
  readonly #addresses: FixedWindows | undefined;

  constructor(rate: ResolvedCreationRate, clock: Clock) {
    const { perOwner, perAddress, windowMs, maxTracked } = rate;
    this.#clock = clock;
    if (perOwner !== undefined) {
      this.#owners = new FixedWindows('perOwner', perOwner, windowMs, maxTracked);
    }
    if (perAddress !== undefined) {
      this.#addresses = new FixedWindows('perAddress', perAddress, windowMs, maxTracked);
    }
  }

  /** How many owners are tracked now (for tests). */
  get trackedOwners(): number {
    return this.#owners?.size ?? 0;
  }

  /** How many addresses (IPv6: /64 prefixes) are tracked now (for tests). */
  get trackedAddresses(): number {
    return this.#addresses?.size ?? 0;
  }

  /**
   * Counts one creation of `owner` from `address` (either may be absent: not counted there), or
   * refuses it. Both limits are checked before either is counted: nothing is counted for a
   * refused creation.
   *
   * @throws SessionError `RATE_LIMITED` when `owner` created `perOwner` sessions, or `address`
   *   `perAddress`, in its current window; `retryAfterMs` is the time until every limit reached
   *   frees a slot. The message names the limits reached, never the owner or the address.
   */
  take(owner: string | undefined, address: string | undefined): void {
    const now = this.#clock.now();
    const counted: [FixedWindows, string][] = [];
    if (owner !== undefined && this.#owners !== undefined) counted.push([this.#owners, owner]);
    if (address !== undefined && this.#addresses !== undefined) {
      counted.push([this.#addresses, addressKey(address)]);
    }
    const waits = counted.map(([windows, key]) => windows.waitOf(key, now));
    const reached = counted.filter((_, i) => waits[i]! > 0).map(([windows]) => windows);
    if (reached.length > 0) {
      const per = reached.map((windows) => windows.per).join(' and per ');
      const limits = reached
        .map(
          (windows) => `creationRate.${windows.field}: ${windows.limit} per ${windows.windowMs} ms`,
        )
        .join(', ');
      throw new SessionError(
        'RATE_LIMITED',
        `Session creation rate per ${per} reached (${limits}); try again later.`,
        { retryAfterMs: Math.max(...waits) },
      );
    }
    for (const [windows, key] of counted) windows.count(key, now);
  }
}
