/**
 * Leases: a pinned session never idles out on this replica, and no replica evicts it. Pins are
 * recorded in the store by the touches this replica writes anyway: the acquire's touch records
 * this replica's pin (until one pin lease, see `pinLeaseMs`), the sweep renews it once half a
 * lease has passed since the last write, and the last release's touch drops it and restarts the
 * idle clock. A replica that stops renewing (a crash) leaves pins that lapse within one lease.
 * Internal to the session manager.
 *
 * @module
 */
import type { Attachment } from './attachments.js';
import { mapBounded, SWEEP_CONCURRENCY } from './bounded.js';
import { toStoreError } from './errors.js';
import type { SessionFailurePhase } from './events.js';
import type { ManagerContext, PinChanges } from './manager-context.js';
import type { Lease } from './manager-types.js';
import { type PinChange, pinLeaseMs } from './store.js';
import type { SessionRecord } from './types.js';

/** The pin changes of the manager whose pins are recorded under `holder`, made once. */
export function pinChangesOf(holder: string): PinChanges {
  return Object.freeze({
    hold: Object.freeze({ holder, hold: true }),
    drop: Object.freeze({ holder, hold: false }),
  });
}

/** Pins sessions for requests and streams, and keeps their store deadlines ahead. */
export class LeaseKeeper {
  readonly #context: ManagerContext;

  constructor(context: ManagerContext) {
    this.#context = context;
  }

  /** Pins the session and answers its lease; `release()` runs at most once. */
  lease(session: SessionRecord): Lease {
    const id = session.id;
    const attachment = this.#context.attachments.pin(id);
    let released = false;
    return {
      status: 'active',
      session,
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        return this.#release(id, attachment);
      },
    };
  }

  /** Renews the pinned sessions whose pin lease is half spent; answers how many ended. */
  async renewDue(now: number): Promise<number> {
    const { attachments, policy, pins } = this.#context;
    if (attachments.pinnedCount === 0) return 0;
    const half = pinLeaseMs(policy) / 2;
    const due: [string, Attachment][] = [];
    for (const id of attachments.pinned) {
      const attachment = attachments.get(id);
      if (attachment !== undefined && now - attachment.lastWriteAt >= half) {
        due.push([id, attachment]);
      }
    }
    const renewed = await mapBounded(due, SWEEP_CONCURRENCY, ([id, attachment]) =>
      this.#renew(id, attachment, now, 'renew', pins.hold),
    );
    let ended = 0;
    for (const endedNow of renewed) if (endedNow) ended++;
    return ended;
  }

  /**
   * On the manager's close, with a shared store: drops this replica's pins (restarting the
   * sessions' idle clocks, as a release does), so other replicas may evict those sessions at
   * once. Failures are reported, never thrown; those pins lapse by themselves.
   */
  async dropPins(): Promise<void> {
    const { attachments, clock, pins, policy, store } = this.#context;
    if (!store.shared || attachments.pinnedCount === 0) return;
    const now = clock.now();
    const drops = [...attachments.pinned].map((id) =>
      store.touch(id, now, policy, true, undefined, pins.drop).catch((error: unknown) => {
        this.#context.report('release', toStoreError(error, 'release'), id);
      }),
    );
    await Promise.all(drops);
  }

  /**
   * The last release drops this replica's pin, unless an acquire here is under way: that one
   * may pin the session again, so the pin is renewed instead.
   */
  async #release(id: string, attachment: Attachment): Promise<void> {
    const { attachments, pins } = this.#context;
    if (!attachments.unpin(id, attachment) || this.#context.isClosed()) return;
    const pin = attachment.acquiring > 0 ? pins.hold : pins.drop;
    await this.#renew(id, attachment, this.#context.clock.now(), 'release', pin);
    attachments.detachIfIdle(id, attachment);
  }

  /**
   * Touches a pinned (or just released) session, reviving a passed idle deadline, with `pin`
   * recorded or dropped. Failures are reported, never thrown. Answers whether this call ended
   * the session.
   */
  async #renew(
    id: string,
    attachment: Attachment,
    now: number,
    phase: SessionFailurePhase,
    pin: PinChange,
  ): Promise<boolean> {
    const context = this.#context;
    try {
      const lookup = await context.store.touch(id, now, context.policy, true, undefined, pin);
      if (lookup.status === 'active') context.attachments.wrote(attachment, now);
      else if (lookup.status === 'expired') return await context.end(id, lookup.reason);
      else await context.settle(id, lookup);
    } catch (error) {
      context.report(phase, toStoreError(error, phase), id);
    }
    return false;
  }
}
