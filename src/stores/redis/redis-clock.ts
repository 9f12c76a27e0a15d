import type { Clock } from '../../core/clock.js';
import { SessionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { PeriodicJob } from '../../core/timers.js';
import type { TimedConnection } from './connection.js';
import { scripts } from './scripts.js';

/** How often the offset to Redis's clock is measured again, in ms. */
export const CLOCK_SYNC_PERIOD_MS = 30_000;

/** `TIME` round trips per measurement; the one with the shortest round trip is kept. */
const SAMPLES = 3;

/** A local clock off Redis's by more than this, in ms, is reported once through the logger. */
export const CLOCK_SKEW_WARNING_MS = 1000;

/** Redis's `TIME` reply (`[seconds, microseconds]`) in ms. */
function redisTimeMs(reply: unknown): number {
  if (Array.isArray(reply) && reply.length >= 2) {
    const ms = Number(reply[0]) * 1000 + Number(reply[1]) / 1000;
    if (Number.isFinite(ms)) return ms;
  }
  throw new SessionError('STORE_UNAVAILABLE', `Redis answered TIME with ${JSON.stringify(reply)}.`);
}

/**
 * The time of the Redis server, so that every replica sharing a store agrees on it: a local
 * base clock corrected by its offset to Redis's `TIME`. `now()` never sends a command: the
 * offset is measured on the first reading (until it is known, readings are the base clock's),
 * then again every {@link CLOCK_SYNC_PERIOD_MS} on an `unref()`'d timer, each time as the best
 * of {@link SAMPLES} round trips with half the round trip added. A failed measurement keeps the
 * last offset. Readings never go backwards, except once, when the first offset is applied.
 */
export class RedisClock implements Clock {
  readonly #connection: TimedConnection;
  readonly #base: Clock;
  readonly #logger: Logger;
  readonly #job: PeriodicJob;
  readonly #routeKey: string | undefined;
  #offset = 0;
  #last = -Infinity;
  #started = false;
  #closed = false;
  #synced = false;
  #warned = false;
  #measuring: Promise<number> | undefined;

  /**
   * @param base the local clock to correct (`Date.now()` in production).
   * @param routeKey on a cluster, a key of the store: `TIME` then runs (in the `time` script) on
   * the master serving its slot, so every replica reads the same node's clock. Without it, a
   * bare `TIME`.
   */
  constructor(connection: TimedConnection, base: Clock, logger: Logger, routeKey?: string) {
    this.#connection = connection;
    this.#routeKey = routeKey;
    this.#base = base;
    this.#logger = logger;
    this.#job = new PeriodicJob(() => {
      this.sync().catch(() => undefined);
    }, CLOCK_SYNC_PERIOD_MS);
  }

  /** The offset applied to the base clock, in ms (`0` until first measured). */
  get offsetMs(): number {
    return this.#offset;
  }

  /** Redis's time in ms, as of the last measurement; the first reading starts measuring. */
  now(): number {
    if (!this.#started) this.#start();
    const reading = this.#base.now() + this.#offset;
    if (reading > this.#last) this.#last = reading;
    return this.#last;
  }

  /**
   * Measures the offset now (or joins the measurement under way) and answers it.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis does not answer `TIME`.
   */
  sync(): Promise<number> {
    this.#measuring ??= this.#measure().finally(() => {
      this.#measuring = undefined;
    });
    return this.#measuring;
  }

  /** Stops measuring; readings keep the last offset. */
  close(): void {
    this.#closed = true;
    this.#job.stop();
  }

  #start(): void {
    this.#started = true;
    if (this.#closed) return;
    this.sync().catch(() => undefined);
    this.#job.start();
  }

  #readTime(): Promise<unknown> {
    if (this.#routeKey === undefined) return this.#connection.send(['TIME']);
    const command = scripts.time.command();
    command.push(this.#routeKey);
    return scripts.time.run(this.#connection, command);
  }

  async #measure(): Promise<number> {
    let bestRtt = Infinity;
    let bestOffset = 0;
    for (let i = 0; i < SAMPLES; i++) {
      const before = this.#base.now();
      const reply = await this.#readTime();
      const after = this.#base.now();
      const rtt = after - before;
      if (rtt < bestRtt) {
        bestRtt = rtt;
        bestOffset = redisTimeMs(reply) - (before + rtt / 2);
      }
    }
    this.#offset = Math.round(bestOffset);
    if (!this.#synced) {
      this.#synced = true;
      this.#last = -Infinity;
    }
    if (Math.abs(this.#offset) > CLOCK_SKEW_WARNING_MS && !this.#warned) {
      this.#warned = true;
      const off = this.#offset;
      this.#logger.warn?.(
        `The local clock is ${Math.abs(off)} ms ${off < 0 ? 'ahead of' : 'behind'} Redis's ` +
          "clock; the session store keeps Redis's time (time: 'redis'), but fix the host's clock.",
        { offsetMs: this.#offset, roundTripMs: bestRtt },
      );
    }
    return this.#offset;
  }
}
