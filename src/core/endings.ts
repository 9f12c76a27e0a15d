/**
 * How sessions end on this replica: the store call that writes the tombstone, the end hooks
 * of whoever held the session here, the counters and the `ended` event, and how a store
 * lookup becomes the resolution a caller sees. Internal to the session manager.
 *
 * @module
 */
import { callStore } from './errors.js';
import type { SessionEndInfo } from './events.js';
import { noop } from './functions.js';
import { runEndHooks } from './hook-runner.js';
import type { ManagerParts } from './manager-context.js';
import { copySessionRecord, visibleTo } from './record.js';
import { type EndResult, type OwnerCheck, ownerMatches, type StoreLookup } from './store.js';
import {
  type EndReason,
  type Resolution,
  type SessionRecord,
  type Tombstone,
  UNKNOWN,
} from './types.js';

/** At most this many failed claim times are remembered (the oldest are forgotten first). */
const MAX_UNCERTAIN_CLAIMS = 64;

/**
 * Ends sessions for one manager and counts what it ended.
 *
 * Exactly one `ended` per session across a fleet: the manager whose store call ended the
 * session (an `end` answered `ended-now`, a sweep's claim) counts it and emits `ended`; a
 * replica that only learns of the end from the tombstone runs its hooks and emits nothing.
 * One exception keeps that count whole when a claim's reply is lost (a timeout after the store
 * ran it): the sweeper then remembers the claim time `now` as uncertain. A tombstone this
 * replica later finds for a session it held (hooks or pins here), with reason `idle` or
 * `lifetime` and `endedAt` equal to an uncertain claim time, was written by that claim (a
 * claim stamps its tombstones with its `now`), so this replica counts it and emits `ended`
 * after the hooks, once (the hooks detach the session here). Limits: a session no replica
 * held leaves no one to learn of it, so its `ended` stays lost; and a session that another
 * replica ended as expired in the very same millisecond would be counted twice.
 */
export class Endings {
  readonly #parts: ManagerParts;
  readonly #hookTimeoutMs: number;
  readonly #onEnded: (info: SessionEndInfo) => void;
  readonly #counts: Record<EndReason, number> = {
    idle: 0,
    lifetime: 0,
    deleted: 0,
    closed: 0,
    evicted: 0,
    shutdown: 0,
  };
  /** Times of claims that failed and may have ended sessions anyway, oldest first. */
  readonly #uncertainClaims: number[] = [];

  /**
   * @param hookTimeoutMs how long one end hook is awaited.
   * @param onEnded called once per session this manager ended, after its hooks ran.
   */
  constructor(parts: ManagerParts, hookTimeoutMs: number, onEnded: (info: SessionEndInfo) => void) {
    this.#parts = parts;
    this.#hookTimeoutMs = hookTimeoutMs;
    this.#onEnded = onEnded;
  }

  /** Sessions this manager ended, by reason (a copy). */
  counts(): Record<EndReason, number> {
    return { ...this.#counts };
  }

  /**
   * A claim made at `now` failed, perhaps after the store ran it: remembers `now` (while a
   * tombstone written then can still be found) and has every attachment here checked at the
   * next sweep, so that the sessions it ended are found, their hooks run and `ended` emitted.
   */
  claimUncertain(now: number): void {
    const { attachments, policy } = this.#parts;
    attachments.checkAllSoon();
    if (policy.tombstoneTtlMs === 0) return;
    const kept = this.#uncertainClaims;
    while (kept.length > 0 && (kept.length >= MAX_UNCERTAIN_CLAIMS || this.#isStale(kept[0], now)))
      kept.shift();
    if (!kept.includes(now)) kept.push(now);
  }

  /**
   * Turns a store lookup made with the owner check `owner` into what that caller sees, ending a
   * due session and running the hooks of one that ended elsewhere. Rejects with a store error.
   */
  async settle(id: string, lookup: StoreLookup, owner: OwnerCheck): Promise<Resolution> {
    const { attachments, clock, store, policy, pins } = this.#parts;
    switch (lookup.status) {
      case 'active':
        return visibleTo(lookup.session, owner);
      case 'expired': {
        if (lookup.reason === 'idle' && attachments.isPinned(id)) {
          // Pinned here, so never idle: the sweeper had not renewed the lease yet.
          const renewed = await callStore(
            'touch',
            () => store.touch(id, clock.now(), policy, true, owner, pins.hold),
            this.#parts.counters,
          );
          return this.settle(id, renewed, owner);
        }
        const ended = await this.endWith(id, lookup.reason);
        if (ended.status === 'unknown') return UNKNOWN;
        const { tombstone } = ended;
        return ownerMatches(tombstone.owner, owner) ? { status: 'ended', tombstone } : UNKNOWN;
      }
      case 'ended': {
        const { tombstone } = lookup;
        if (attachments.has(id)) await this.learned(id, tombstone);
        return ownerMatches(tombstone.owner, owner) ? lookup : UNKNOWN;
      }
      default:
        if (attachments.has(id)) {
          // A checked lookup answers another owner's session as unknown: only an unchecked
          // one (the next sweep's) may conclude that the session is gone.
          if (owner !== undefined) attachments.checkSoon(id);
          else await this.runHooks(id, { id, reason: 'closed', endedAt: clock.now() });
        }
        return UNKNOWN;
    }
  }

  /** Ends a session; answers whether this call ended it. Rejects with a store error. */
  async end(id: string, reason: EndReason): Promise<boolean> {
    return (await this.endWith(id, reason)).status === 'ended-now';
  }

  /** Ends a session and answers the store's result; hooks here run in every case. */
  async endWith(id: string, reason: EndReason): Promise<EndResult> {
    const { attachments, clock, store, policy } = this.#parts;
    const now = clock.now();
    const end = () => store.end(id, reason, now, policy);
    const result = await callStore('end', end, this.#parts.counters);
    if (result.status === 'ended-now') {
      await this.finish(id, reason, result.tombstone.endedAt, result.session);
    } else if (attachments.has(id)) {
      if (result.status === 'ended') await this.learned(id, result.tombstone);
      else await this.runHooks(id, { id, reason: 'closed', endedAt: now });
    }
    return result;
  }

  /** This manager ended the session: counters, hooks, then `onEnded`. */
  async finish(
    id: string,
    reason: EndReason,
    endedAt: number,
    session: SessionRecord,
  ): Promise<void> {
    const info: SessionEndInfo = { id, reason, endedAt, session: copySessionRecord(session) };
    this.#counts[reason]++;
    await this.runHooks(id, info);
    this.#onEnded(info);
  }

  /**
   * At capacity with `capacityPolicy: 'evict-oldest'`: ends, in one store step, the least
   * recently touched session no replica holds pinned (reason `evicted`), then runs its hooks
   * here and emits `ended`. Answers whether one was ended. Rejects with a store error.
   */
  async evictOldest(): Promise<boolean> {
    const { clock, store, policy } = this.#parts;
    const now = clock.now();
    const evict = () => store.evictOldest(now, policy);
    const evicted = await callStore('evict', evict, this.#parts.counters);
    if (evicted === undefined) return false;
    const { session, tombstone } = evicted;
    await this.finish(session.id, tombstone.reason, tombstone.endedAt, session);
    return true;
  }

  /**
   * On the manager's close: ends every session held here with reason `shutdown` and runs its
   * hooks. With a shared store only the hooks run (the sessions stay for other replicas); with
   * a local one every session in the store ends. Failures are reported, never thrown.
   */
  async shutdown(): Promise<void> {
    const { attachments, clock, store, policy } = this.#parts;
    const now = clock.now();
    const finals: Promise<void>[] = [];
    for (const id of attachments.ids()) {
      finals.push(
        store.shared
          ? this.runHooks(id, { id, reason: 'shutdown', endedAt: now })
          : this.end(id, 'shutdown').then(noop),
      );
    }
    await Promise.allSettled(finals);
    if (store.shared) return;
    try {
      for await (const record of store.list(policy)) await this.end(record.id, 'shutdown');
    } catch (error) {
      this.#parts.report('sweep', error);
    }
  }

  /**
   * This replica learned of an end from the session's tombstone: runs its hooks here, and
   * counts the end and emits `ended` when one of this manager's failed claims wrote it (see
   * the class notes). Call it only while the session is attached here.
   */
  async learned(id: string, tombstone: Tombstone): Promise<void> {
    const { reason, endedAt } = tombstone;
    const claimedHere =
      (reason === 'idle' || reason === 'lifetime') && this.#uncertainClaims.includes(endedAt);
    const held = this.#parts.attachments.has(id);
    await this.runHooks(id, tombstone);
    if (!claimedHere || !held) return;
    this.#counts[reason]++;
    this.#onEnded({ id, reason, endedAt });
  }

  /** Detaches the session here and runs its hooks (awaited, isolated, time-limited). */
  async runHooks(id: string, info: SessionEndInfo): Promise<void> {
    const hooks = this.#parts.attachments.take(id);
    if (hooks === undefined || hooks.length === 0) return;
    await runEndHooks(hooks, info, this.#hookTimeoutMs, (error, sessionId) =>
      this.#parts.report('end-hook', error, sessionId),
    );
  }

  /** True when a tombstone written at `at` is past its age at `now`. */
  #isStale(at: number | undefined, now: number): boolean {
    return at !== undefined && at + this.#parts.policy.tombstoneTtlMs <= now;
  }
}
