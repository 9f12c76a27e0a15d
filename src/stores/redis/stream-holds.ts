import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { PeriodicJob } from '../../core/timers.js';
import type { TimedConnection } from './connection.js';
import type { KeyLayout } from './keys.js';
import { scripts } from './scripts.js';

/**
 * The stream holder records of one replica: `<prefix>stream:<id>` = the replica's ID, with a
 * TTL of `holdTtlMs`, renewed for every held stream in one script call every `holdTtlMs / 3`
 * (no timer while nothing is held). A record another replica took over is no longer renewed.
 */
export class StreamHolds {
  readonly #connection: TimedConnection;
  readonly #keys: KeyLayout;
  readonly #replicaId: string;
  readonly #ttl: string;
  readonly #logger: Logger;
  /** Held session IDs, each with the count of its holds (a renewal under way compares it). */
  readonly #held = new Map<string, number>();
  #holds = 0;
  readonly #job: PeriodicJob;
  #renewing: Promise<void> | undefined;
  #failing = false;

  constructor(
    connection: TimedConnection,
    keys: KeyLayout,
    replicaId: string,
    holdTtlMs: number,
    logger: Logger,
  ) {
    this.#connection = connection;
    this.#keys = keys;
    this.#replicaId = replicaId;
    this.#ttl = String(holdTtlMs);
    this.#logger = logger;
    const renewQuietly = () => {
      this.renew().catch(() => {});
    };
    this.#job = new PeriodicJob(renewQuietly, Math.max(1, Math.floor(holdTtlMs / 3)));
  }

  /** Writes this replica's record (last holder wins) and renews it from then on. */
  async hold(sessionId: string): Promise<void> {
    const key = this.#keys.streamHolder(sessionId);
    await this.#connection.send(['SET', key, this.#replicaId, 'PX', this.#ttl]);
    this.#held.set(sessionId, ++this.#holds);
    this.#job.start();
  }

  /** Stops renewing the record and deletes it if it still names this replica. */
  async release(sessionId: string): Promise<void> {
    this.#held.delete(sessionId);
    if (this.#held.size === 0) this.#job.stop();
    await this.#releaseAll([sessionId]);
  }

  /** The replica named by the record, or `undefined` when there is none. */
  async holder(sessionId: string): Promise<string | undefined> {
    const reply = await this.#connection.send(['GET', this.#keys.streamHolder(sessionId)]);
    return typeof reply === 'string' ? reply : undefined;
  }

  /**
   * Renews every held record in one round trip (one already under way is joined). A failure is
   * logged once until a renewal succeeds again, and rethrown.
   */
  renew(): Promise<void> {
    this.#renewing ??= this.#renewHeld().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  /** Stops renewing and deletes the records still naming this replica; never rejects. */
  async close(): Promise<void> {
    this.#job.stop();
    const ids = [...this.#held.keys()];
    this.#held.clear();
    await this.#releaseAll(ids).catch(() => {});
  }

  async #renewHeld(): Promise<void> {
    const held = [...this.#held];
    if (held.length === 0) return;
    const script = scripts.renewHolds;
    const args = script.commandWithKeys(held.length);
    for (const [id] of held) args.push(this.#keys.streamHolder(id));
    args.push(this.#replicaId, this.#ttl);
    let lost: unknown;
    try {
      lost = await script.run(this.#connection, args);
    } catch (error) {
      if (!this.#failing) {
        this.#failing = true;
        this.#logger.error?.(
          'Could not renew the stream holder records; they lapse unless Redis answers again',
          {
            streams: held.length,
            error: errorMessage(error),
          },
        );
      }
      throw error;
    }
    this.#failing = false;
    if (!Array.isArray(lost)) return;
    for (const index of lost) {
      const [id, hold] = held[Number(index) - 1]!;
      // Held again while the renewal ran: that hold took the record back.
      if (this.#held.get(id) === hold) this.#held.delete(id);
    }
    if (this.#held.size === 0) this.#job.stop();
  }

  async #releaseAll(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const script = scripts.releaseHolds;
    const args = script.commandWithKeys(ids.length);
    for (const id of ids) args.push(this.#keys.streamHolder(id));
    args.push(this.#replicaId);
    await script.run(this.#connection, args);
  }
}
