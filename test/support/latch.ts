import { EVENT_TIMEOUT_MS, within } from './wait.js';

/**
 * A gate tool calls wait at until the test opens it, so a test can act (advance the clock, run a
 * sweep) while calls are provably in flight on the server.
 */
export class Latch {
  #arrived = 0;
  #opened = false;
  readonly #waiting: (() => void)[] = [];
  readonly #watchers: { count: number; resolve: () => void }[] = [];

  /** How many calls reached the latch so far. */
  get arrived(): number {
    return this.#arrived;
  }

  /** Waits at the latch; resolves at once when it is open. */
  pass(): Promise<void> {
    this.#arrived++;
    for (const watcher of this.#watchers.filter((w) => w.count <= this.#arrived)) {
      this.#watchers.splice(this.#watchers.indexOf(watcher), 1);
      watcher.resolve();
    }
    if (this.#opened) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Resolves once `count` calls reached the latch; rejects after `timeoutMs`. */
  arrivals(count = 1, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    if (this.#arrived >= count) return Promise.resolve();
    const reached = new Promise<void>((resolve) => this.#watchers.push({ count, resolve }));
    return within(reached, `${count} call(s) at the latch`, timeoutMs);
  }

  /** Lets every waiting call, and every later one, through. */
  open(): void {
    this.#opened = true;
    for (const go of this.#waiting.splice(0)) go();
  }
}
