/**
 * Where the manager reads the time. Inject one in tests to move time by hand.
 *
 * `now()` returns milliseconds; it should never go backwards.
 */
export interface Clock {
  now(): number;
}

/** The default {@link Clock}: `Date.now()`. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
