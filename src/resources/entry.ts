/**
 * What the pool holds: per session a group, per key an entry (a resource, or its creation in
 * flight). Internal to the resource pool.
 *
 * @module
 */
import { noop } from '../core/functions.js';
import type { EndReason } from '../core/types.js';
import type { Closer } from './closer.js';
import type { ResourceError } from './errors.js';
import type { IdleNode } from './idle-list.js';
import type { ResourceCloseReason } from './types.js';

/** What the pool holds for one session. */
export interface Group<R> {
  readonly sessionId: string;
  readonly entries: Map<string, Entry<R>>;
  /** The session's owner, known once an active resolution confirmed the session. */
  owner: string | undefined;
  confirmed: boolean;
  /** Why the session ended, once its end hook ran. */
  endReason: EndReason | undefined;
  unsubscribe: () => void;
}

/** One resource (or its creation in flight). */
export interface Entry<R> extends IdleNode {
  readonly group: Group<R>;
  readonly key: string;
  /** The owner of the get that started the creation. */
  readonly creator: string | undefined;
  state: 'creating' | 'ready' | 'closing';
  resource: R | undefined;
  closer: Closer | undefined;
  creation: Promise<R> | undefined;
  /** Rejects the getters of a creation in flight at once when it is abandoned. */
  abandon: ((error: ResourceError) => void) | undefined;
  controller: AbortController | undefined;
  /** Set when the resource stopped being wanted while it was being created. */
  doomed: ResourceCloseReason | undefined;
  /** Why it is being closed, once its close started. */
  closeReason: ResourceCloseReason | undefined;
  failures: number;
  lastError: unknown;
  uses: number;
}

/** A new, unconfirmed group for `sessionId`, not yet subscribed to the session's end. */
export function newGroup<R>(sessionId: string): Group<R> {
  return {
    sessionId,
    entries: new Map(),
    owner: undefined,
    confirmed: false,
    endReason: undefined,
    unsubscribe: noop,
  };
}

/** A new entry in state `creating`, started by a get of `creator`. */
export function newEntry<R>(group: Group<R>, key: string, creator: string | undefined): Entry<R> {
  return {
    group,
    key,
    creator,
    state: 'creating',
    resource: undefined,
    closer: undefined,
    creation: undefined,
    abandon: undefined,
    controller: undefined,
    doomed: undefined,
    closeReason: undefined,
    failures: 0,
    lastError: undefined,
    uses: 0,
    idlePrev: undefined,
    idleNext: undefined,
    idleSince: 0,
    idleLinked: false,
  };
}
