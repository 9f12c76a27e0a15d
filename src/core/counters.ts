/**
 * The counters of one session manager: plain integers bumped where things happen (no
 * allocation on a request's path), read as a {@link SessionCounters} snapshot. Internal, but for
 * the snapshot's types.
 *
 * @module
 */
import { isSessionError, type SessionError } from './errors.js';
import type { EndReason, Resolution } from './types.js';

/**
 * Why a session was not created or a request was refused, as counted in
 * {@link SessionCounters.rejected}:
 *
 * - `capacity`: `maxSessions` reached (`SessionError('CAPACITY')`, HTTP 503).
 * - `ownerQuota`: the owner held `maxSessionsPerOwner` sessions (`OWNER_QUOTA`, HTTP 429).
 * - `rateLimited`: the owner or the client address went past `creationRate` (`RATE_LIMITED`,
 *   HTTP 429).
 * - `badInput`: a client mistake an HTTP handler answered with a 4xx (other than 404 and 429):
 *   a bad method, `Host`, `Origin`, `Accept`, body or session header, an `initialize` over
 *   `maxInitBytes`, a request for another transport's session. Counted by the handlers (see
 *   `SessionManager.noteAdapterEvent`); a malformed argument of a direct call is not counted.
 */
export type RejectionCause = 'capacity' | 'ownerQuota' | 'rateLimited' | 'badInput';

/** Every {@link RejectionCause}, in a stable order. */
export const REJECTION_CAUSES: readonly RejectionCause[] = Object.freeze([
  'capacity',
  'ownerQuota',
  'rateLimited',
  'badInput',
]);

/** What an adapter may count on its manager (see `SessionManager.noteAdapterEvent`). */
export type AdapterEvent = 'restored' | 'badInput';

/**
 * Totals since the manager was made, on this replica (a fleet's totals are the sum over its
 * replicas). Every field only grows.
 */
export interface SessionCounters {
  /** Sessions created through this manager. */
  readonly created: number;
  /** Sessions this manager ended, by reason: once per session across a fleet (see `ended`). */
  readonly ended: Readonly<Record<EndReason, number>>;
  /** Creates and requests refused, by cause. */
  readonly rejected: Readonly<Record<RejectionCause, number>>;
  /**
   * `resolve`, `touch` and `acquire` calls answered `unknown`: an ID that never existed, whose
   * tombstone is gone, or that belongs to another owner. The store answers the three alike on
   * purpose, so an owner mismatch is not counted apart.
   */
  readonly notFound: number;
  /** `resolve`, `touch` and `acquire` calls answered `ended` (a tombstone: HTTP 404 expired). */
  readonly expired: number;
  /** Sessions made elsewhere that an HTTP handler of this replica restored here. */
  readonly restored: number;
  /** Store calls that failed (`STORE_UNAVAILABLE` or `STORE_CORRUPT`), each counted once. */
  readonly storeFailures: number;
}

/**
 * The live counters of one manager; the fields are those of {@link SessionCounters} (the end
 * counts live with the manager's endings, which count each session once).
 */
export class Counters {
  /** See {@link SessionCounters.created}. */
  created = 0;
  /** See {@link SessionCounters.notFound}. */
  notFound = 0;
  /** See {@link SessionCounters.expired}. */
  expired = 0;
  /** See {@link SessionCounters.restored}. */
  restored = 0;
  /** See {@link SessionCounters.storeFailures}. */
  storeFailures = 0;
  readonly #rejected: Record<RejectionCause, number> = {
    capacity: 0,
    ownerQuota: 0,
    rateLimited: 0,
    badInput: 0,
  };
  /** Store failures already counted (one failure can pass several catch sites). */
  readonly #failures = new WeakSet<object>();

  /** Counts a create refused with `error`, by its code; other errors are not rejections. */
  createFailed(error: unknown): void {
    if (!isSessionError(error)) return;
    switch (error.code) {
      case 'CAPACITY':
        this.#rejected.capacity++;
        break;
      case 'OWNER_QUOTA':
        this.#rejected.ownerQuota++;
        break;
      case 'RATE_LIMITED':
        this.#rejected.rateLimited++;
        break;
      default:
        this.storeFailed(error);
    }
  }

  /** Counts what an adapter reports. */
  note(event: AdapterEvent): void {
    if (event === 'restored') this.restored++;
    else this.#rejected.badInput++;
  }

  /** Counts a lookup's answer (`unknown`, `ended`) and hands it back. */
  lookedUp(resolution: Resolution): Resolution {
    if (resolution.status === 'unknown') this.notFound++;
    else if (resolution.status === 'ended') this.expired++;
    return resolution;
  }

  /** Counts a store failure once, however many places see it; hands `error` back. */
  storeFailed<E>(error: E): E {
    if (
      (isSessionError(error, 'STORE_UNAVAILABLE') || isSessionError(error, 'STORE_CORRUPT')) &&
      !this.#failures.has(error as SessionError)
    ) {
      this.#failures.add(error as SessionError);
      this.storeFailures++;
    }
    return error;
  }

  /** A snapshot, with the end counts kept by the manager's endings. */
  snapshot(ended: Record<EndReason, number>): SessionCounters {
    return {
      created: this.created,
      ended,
      rejected: { ...this.#rejected },
      notFound: this.notFound,
      expired: this.expired,
      restored: this.restored,
      storeFailures: this.storeFailures,
    };
  }
}
