/**
 * The sweeper: one run renews this replica's leases, ends every expired session in batches
 * claimed from the store, and checks attachments to a shared store for ends seen elsewhere.
 * Runs on an `unref()`'d interval or by hand; concurrent runs share one. Internal to the
 * session manager.
 *
 * @module
 */

import { mapBounded, SWEEP_CONCURRENCY } from './bounded.js';
import { callStore, toStoreError } from './errors.js';
import type { LeaseKeeper } from './leases.js';
import type { ManagerContext } from './manager-context.js';
import { PeriodicJob } from './timers.js';

/** Runs sweeps for one manager. */
export class Sweeper {
  readonly #context: ManagerContext;
  readonly #leases: LeaseKeeper;
  readonly #batchSize: number;
  readonly #job: PeriodicJob;
  #running: Promise<number> | undefined;

  /**
   * @param batchSize at most this many sessions claimed per store call.
   * @param periodMs the interval of {@link Sweeper.start}; its failures go to `context.report`.
   */
  constructor(context: ManagerContext, leases: LeaseKeeper, batchSize: number, periodMs: number) {
    this.#context = context;
    this.#leases = leases;
    this.#batchSize = batchSize;
    this.#job = new PeriodicJob(() => {
      this.sweep().catch((error: unknown) => context.report('sweep', error));
    }, periodMs);
  }

  /** True while the interval is set. */
  get running(): boolean {
    return this.#job.running;
  }

  /** Sets the interval. Idempotent. */
  start(): void {
    this.#job.start();
  }

  /** Clears the interval. Idempotent. */
  stop(): void {
    this.#job.stop();
  }

  /** Runs one sweep, or joins the one running; answers how many sessions it ended. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Waits for a sweep in flight to finish, whatever its outcome. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  async #sweep(): Promise<number> {
    const context = this.#context;
    const { store, policy } = context;
    const now = context.clock.now();
    let total = await this.#leases.renewDue(now);
    const limit = this.#batchSize;
    for (;;) {
      let batch: Awaited<ReturnType<typeof store.claimExpired>>;
      try {
        const claim = () => store.claimExpired(now, limit, policy);
        batch = await callStore('sweep', claim, context.counters);
      } catch (error) {
        // The store may have run the claim and lost only its reply.
        context.claimFailed(now);
        throw error;
      }
      total += batch.length;
      await Promise.all(
        batch.map(({ session, tombstone }) =>
          context.finish(session.id, tombstone.reason, tombstone.endedAt, session),
        ),
      );
      if (batch.length < limit || context.isClosed()) break;
    }
    const due = context.attachments.dueForCheck(now);
    await mapBounded(due, SWEEP_CONCURRENCY, (id) => this.#check(id, now));
    return total;
  }

  /** Settles an attachment whose session may have ended on another replica. */
  async #check(id: string, now: number): Promise<void> {
    const context = this.#context;
    try {
      await context.settle(id, await context.store.get(id, now, context.policy));
    } catch (error) {
      context.report('verify', toStoreError(error, 'verify'), id);
    }
  }
}
