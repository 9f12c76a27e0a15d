/**
 * The small views of a session manager that its helpers (endings, the lease keeper, the
 * sweeper) work through, so that each job lives in a module of its own. Internal.
 *
 * @module
 */
import type { Attachments } from './attachments.js';
import type { Clock } from './clock.js';
import type { Counters } from './counters.js';
import type { Endings } from './endings.js';
import type { SessionFailurePhase } from './events.js';
import type { PinChange, SessionStore, StoreLookup, StorePolicy } from './store.js';
import type { EndReason, SessionRecord } from './types.js';

/** A manager's two pin changes for {@link SessionStore.touch}: record (renew) and drop. */
export interface PinChanges {
  readonly hold: PinChange;
  readonly drop: PinChange;
}

/** What every helper of a manager shares: its store, policy, clock, attachments and reporter. */
export interface ManagerParts {
  readonly store: SessionStore;
  readonly policy: StorePolicy;
  readonly clock: Clock;
  readonly attachments: Attachments;
  /** This manager's pin changes, made once. */
  readonly pins: PinChanges;
  /** This manager's counters (store failures are counted where they are caught). */
  readonly counters: Counters;
  /** Reports a contained failure (`error` event and logger). */
  report(phase: SessionFailurePhase, error: unknown, sessionId?: string): void;
}

/** What the lease keeper and the sweeper may see and do of their manager. */
export interface ManagerContext extends ManagerParts {
  /** True once the manager's `close()` began. */
  isClosed(): boolean;
  /** Ends a session; answers whether this call ended it. Rejects with a store error. */
  end(id: string, reason: EndReason): Promise<boolean>;
  /** The store ended the session for this manager (a sweep claim): hooks, counters, event. */
  finish(id: string, reason: EndReason, endedAt: number, session: SessionRecord): Promise<void>;
  /**
   * A claim made at `now` failed: the store may have ended sessions without this manager
   * learning which (the endings remember `now` as uncertain).
   */
  claimFailed(now: number): void;
  /** Acts on a lookup as `resolve` would: ends due sessions, runs hooks of ended ones. */
  settle(id: string, lookup: StoreLookup): Promise<unknown>;
}

/** The view of a manager its lease keeper and sweeper work through, over its endings. */
export function contextOf(
  parts: ManagerParts,
  endings: Endings,
  isClosed: () => boolean,
): ManagerContext {
  return {
    ...parts,
    isClosed,
    end: (id, reason) => endings.end(id, reason),
    finish: (id, reason, endedAt, session) => endings.finish(id, reason, endedAt, session),
    claimFailed: (now) => endings.claimUncertain(now),
    settle: (id, lookup) => endings.settle(id, lookup, undefined),
  };
}
