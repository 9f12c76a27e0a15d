import type { Clock } from '../../core/clock.js';
import { PeriodicJob } from '../../core/timers.js';
import type { LocalSession, LocalSessions } from '../shared/registry.js';

/** A session held here whose use is counted. */
export interface UsedSession extends LocalSession {
  /** Requests (and streams) of the session in flight here. */
  busy: number;
  /** When its last request here began or ended, on the manager's clock. */
  usedAt: number;
}

/** Longest period between two automatic trims, in ms. */
const MAX_TRIM_PERIOD_MS = 60_000;
/** Shortest period between two automatic trims, in ms. */
const MIN_TRIM_PERIOD_MS = 1000;

/**
 * Lets go of the transports and servers of sessions idle here (no request or stream in flight
 * for `idleMs`), without ending the sessions: with a shared store, a transport is a cache the
 * next request rebuilds. Runs on an `unref()`'d timer once started, and on demand.
 */
export class IdleTrim<S extends UsedSession> {
  readonly #locals: LocalSessions<S>;
  readonly #clock: Clock;
  readonly #idleMs: number;
  readonly #job: PeriodicJob;

  /** @param idleMs from 1 to 2^31-1 (validated by the handler's options). */
  constructor(locals: LocalSessions<S>, clock: Clock, idleMs: number) {
    this.#locals = locals;
    this.#clock = clock;
    this.#idleMs = idleMs;
    const period = Math.max(MIN_TRIM_PERIOD_MS, Math.min(idleMs, MAX_TRIM_PERIOD_MS));
    this.#job = new PeriodicJob(() => void this.trim(), period);
  }

  /** Counts a request of `local` in flight; answers the function that ends it (idempotent). */
  begin(local: S): () => void {
    local.busy++;
    local.usedAt = this.#clock.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      local.busy--;
      local.usedAt = this.#clock.now();
    };
  }

  /** Lets go of every session idle for `idleMs` or more; answers how many. Never rejects. */
  async trim(): Promise<number> {
    const due = this.#clock.now() - this.#idleMs;
    const idle: Array<[string, S]> = [];
    for (const [id, local] of this.#locals.entries()) {
      if (local.busy === 0 && local.usedAt <= due) idle.push([id, local]);
    }
    await Promise.all(idle.map(([id, local]) => this.#locals.dispose(id, local)));
    return idle.length;
  }

  /** Starts the periodic trim (idempotent). */
  start(): void {
    this.#job.start();
  }

  /** Stops the periodic trim (idempotent). */
  stop(): void {
    this.#job.stop();
  }
}
