/**
 * What this replica holds for each session: its end hooks and its pins (open requests and
 * streams). Bookkeeping only, no I/O. Internal to the session manager.
 *
 * @module
 */
import type { Clock } from './clock.js';
import type { EndHook } from './manager-types.js';

/** How often, at most, an attachment to a shared store is checked for an end seen elsewhere. */
const VERIFY_PERIOD_MS = 60_000;

/** What this replica holds for one session. */
export interface Attachment {
  hooks: EndHook[] | undefined;
  pins: number;
  /** Acquires of the session under way here (their touch not answered yet). */
  acquiring: number;
  /** When this replica last wrote a touch for the session. */
  lastWriteAt: number;
  /** When the sweep should next check that the session still lives in the store. */
  verifyAt: number;
}

/** What the bookkeeping needs to know of its manager. */
export interface AttachmentsConfig {
  readonly clock: Clock;
  /** True when another replica may end a session (a shared store). */
  readonly shared: boolean;
  readonly idleTtlMs: number;
  readonly sweepIntervalMs: number;
}

/** The attachments of one manager, by session ID, and the set of pinned sessions. */
export class Attachments {
  readonly #config: AttachmentsConfig;
  readonly #byId = new Map<string, Attachment>();
  readonly #pinned = new Set<string>();

  constructor(config: AttachmentsConfig) {
    this.#config = config;
  }

  /** Sessions with hooks or pins here. */
  get size(): number {
    return this.#byId.size;
  }

  /** Sessions pinned here. */
  get pinnedCount(): number {
    return this.#pinned.size;
  }

  /** The IDs of pinned sessions (a live view: do not change pins while iterating). */
  get pinned(): ReadonlySet<string> {
    return this.#pinned;
  }

  /** True when the session has hooks or pins here. */
  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** The session's attachment, if any. */
  get(id: string): Attachment | undefined {
    return this.#byId.get(id);
  }

  /** True while a request or stream holds the session here. */
  isPinned(id: string): boolean {
    return this.#pinned.has(id);
  }

  /** Every attached session ID (a copy). */
  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** Adds `hook`; answers a function that removes it (and the attachment, if left empty). */
  addHook(id: string, hook: EndHook): () => void {
    const attachment = this.#attach(id);
    attachment.verifyAt = this.#config.clock.now();
    attachment.hooks ??= [];
    attachment.hooks.push(hook);
    return () => {
      const hooks = attachment.hooks;
      const index = hooks === undefined ? -1 : hooks.indexOf(hook);
      if (index >= 0) hooks?.splice(index, 1);
      this.detachIfIdle(id, attachment);
    };
  }

  /**
   * An acquire of the session starts here: until {@link Attachments.endAcquire}, the last
   * release must not drop this replica's pin in the store, since the acquire may pin it again.
   */
  beginAcquire(id: string): Attachment {
    const attachment = this.#attach(id);
    attachment.acquiring++;
    return attachment;
  }

  /** The acquire begun with {@link Attachments.beginAcquire} is over (pinned or not). */
  endAcquire(id: string, attachment: Attachment): void {
    attachment.acquiring--;
    this.detachIfIdle(id, attachment);
  }

  /** Adds one pin; answers the attachment to hand back to {@link Attachments.unpin}. */
  pin(id: string): Attachment {
    const attachment = this.#attach(id);
    if (attachment.pins++ === 0) this.#pinned.add(id);
    return attachment;
  }

  /**
   * Removes one pin. Answers true when that was the last one and `attachment` is still the
   * session's: the idle clock should restart now.
   */
  unpin(id: string, attachment: Attachment): boolean {
    if (--attachment.pins > 0) return false;
    this.#pinned.delete(id);
    return this.#byId.get(id) === attachment;
  }

  /** Drops the attachment when it holds neither pins, acquires under way nor hooks. */
  detachIfIdle(id: string, attachment: Attachment): void {
    if (
      attachment.pins > 0 ||
      attachment.acquiring > 0 ||
      (attachment.hooks !== undefined && attachment.hooks.length > 0)
    )
      return;
    if (this.#byId.get(id) === attachment) this.#byId.delete(id);
  }

  /** A touch of the session was written at `now` (cheap when nothing is attached). */
  touched(id: string, now: number): void {
    if (this.#byId.size === 0) return;
    const attachment = this.#byId.get(id);
    if (attachment !== undefined) this.wrote(attachment, now);
  }

  /** This replica wrote a touch for the session at `now`. */
  wrote(attachment: Attachment, now: number): void {
    attachment.lastWriteAt = now;
    attachment.verifyAt = this.#nextVerify(now);
  }

  /** Removes the session's attachment and pins; answers its hooks (each to run once). */
  take(id: string): EndHook[] | undefined {
    const attachment = this.#byId.get(id);
    if (attachment === undefined) return undefined;
    this.#byId.delete(id);
    this.#pinned.delete(id);
    const hooks = attachment.hooks;
    attachment.hooks = undefined;
    return hooks;
  }

  /** Unpinned sessions due for a check that they still live in the store; schedules the next. */
  dueForCheck(now: number): string[] {
    const due: string[] = [];
    for (const [id, attachment] of this.#byId) {
      if (attachment.pins > 0 || attachment.verifyAt > now) continue;
      attachment.verifyAt = this.#nextVerify(now);
      due.push(id);
    }
    return due;
  }

  /** Makes the session's attachment, if any, due for a check at the next sweep. */
  checkSoon(id: string): void {
    const attachment = this.#byId.get(id);
    if (attachment !== undefined) attachment.verifyAt = -Infinity;
  }

  /**
   * Makes every unpinned attachment due for a check at the next sweep, whatever the store (a
   * claim whose reply was lost may have ended any of them).
   */
  checkAllSoon(): void {
    for (const attachment of this.#byId.values()) attachment.verifyAt = -Infinity;
  }

  #attach(id: string): Attachment {
    let attachment = this.#byId.get(id);
    if (attachment === undefined) {
      const now = this.#config.clock.now();
      attachment = {
        hooks: undefined,
        pins: 0,
        acquiring: 0,
        lastWriteAt: now,
        verifyAt: this.#nextVerify(now),
      };
      this.#byId.set(id, attachment);
    }
    return attachment;
  }

  /**
   * A memory store only ends sessions through this manager, so its attachments need no checks.
   * A shared store may end them on another replica (a DELETE routed elsewhere, a claim by another
   * sweeper): each unpinned attachment is checked about once a minute (sooner with a shorter idle
   * TTL, never more often than the sweep), one store read each. Pinned ones learn it when their
   * lease is renewed.
   */
  #nextVerify(now: number): number {
    const { shared, idleTtlMs, sweepIntervalMs } = this.#config;
    if (!shared) return Infinity;
    const period = Math.min(idleTtlMs || VERIFY_PERIOD_MS, VERIFY_PERIOD_MS);
    return now + Math.max(period, sweepIntervalMs);
  }
}
