/**
 * Leases: a pinned session never idles out on this replica. Pins are recorded as store
 * touches: renewed by the sweep once half the idle TTL has passed since the last write, and
 * written once more on the last release so the idle clock restarts then. Internal to the
 * session manager.
 *
 * @module
 */
import type { Attachment } from './attachments.js';
import { toStoreError } from './errors.js';
import type { SessionFailurePhase } from './events.js';
import type { ManagerContext } from './manager-context.js';
import type { Lease } from './manager-types.js';
import type { SessionRecord } from './types.js';

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

  /** Renews the pinned sessions whose store deadline is half spent; answers how many ended. */
  async renewDue(now: number): Promise<number> {
    const { attachments, policy } = this.#context;
    const ttl = policy.idleTtlMs;
    if (ttl === 0 || attachments.pinnedCount === 0) return 0;
    const due: Promise<boolean>[] = [];
    for (const id of attachments.pinned) {
      const attachment = attachments.get(id);
      if (attachment !== undefined && now - attachment.lastWriteAt >= ttl / 2) {
        due.push(this.#renew(id, attachment, now, 'renew'));
      }
    }
    let ended = 0;
    for (const endedNow of await Promise.all(due)) if (endedNow) ended++;
    return ended;
  }

  async #release(id: string, attachment: Attachment): Promise<void> {
    const { attachments } = this.#context;
    if (!attachments.unpin(id, attachment) || this.#context.isClosed()) return;
    await this.#renew(id, attachment, this.#context.clock.now(), 'release');
    attachments.detachIfIdle(id, attachment);
  }

  /**
   * Touches a pinned (or just released) session, reviving a passed idle deadline. Failures are
   * reported, never thrown. Answers whether this call ended the session.
   */
  async #renew(
    id: string,
    attachment: Attachment,
    now: number,
    phase: SessionFailurePhase,
  ): Promise<boolean> {
    const context = this.#context;
    try {
      const lookup = await context.store.touch(id, now, context.policy, true);
      if (lookup.status === 'active') context.attachments.wrote(attachment, now);
      else if (lookup.status === 'expired') return await context.end(id, lookup.reason);
      else await context.settle(id, lookup);
    } catch (error) {
      context.report(phase, toStoreError(error, phase), id);
    }
    return false;
  }
}
