/**
 * The timer helpers every class uses: timers that never keep the process alive, one periodic
 * job with start/stop, and one time limit around a piece of work. Internal.
 *
 * @module
 */

/** A timer handle of any runtime (a Node `Timeout`, a number in browsers and workers). */
export type TimerHandle = ReturnType<typeof setTimeout>;

/** Lets the process exit while `timer` is pending (no-op where timers have no `unref`). */
export function unrefTimer<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * A job run every `periodMs` on an `unref()`'d interval, started and stopped by its owner.
 * `start()` and `stop()` are idempotent; the job's own failures are the job's to handle.
 */
export class PeriodicJob {
  readonly #run: () => void;
  readonly #periodMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param periodMs the period, 1 to `MAX_TIMER_MS` (validated by the owner's options). */
  constructor(run: () => void, periodMs: number) {
    this.#run = run;
    this.#periodMs = periodMs;
  }

  /** True while the interval is set. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Sets the interval unless it is set. */
  start(): void {
    if (this.#timer === undefined) this.#timer = unrefTimer(setInterval(this.#run, this.#periodMs));
  }

  /** Clears the interval if it is set. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Runs `work` (a synchronous throw becomes a rejection) and waits at most `timeoutMs` for it.
 * Rejects with `onTimeout()` when time runs out; the work itself is not cancelled, only no
 * longer awaited. The timer is `unref()`'d and cleared as soon as either side settles.
 *
 * @param timeoutMs 1 to `MAX_TIMER_MS` (validated by the caller's options).
 */
export async function withTimeout<T>(
  work: () => T | PromiseLike<T>,
  timeoutMs: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: TimerHandle | undefined;
  try {
    return await Promise.race([
      new Promise<T>((resolve) => resolve(work())),
      new Promise<never>((_, reject) => {
        timer = unrefTimer(setTimeout(() => reject(onTimeout()), timeoutMs));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
