/**
 * The pool's bookkeeping: groups by session, the idle list, the work in flight and the
 * counters behind `stats()`. No I/O. Internal to the resource pool.
 *
 * @module
 */
import type { Clock } from '../core/clock.js';
import { noop } from '../core/functions.js';
import type { Entry, Group } from './entry.js';
import { IdleList } from './idle-list.js';
import type { ResourceCloseReason, ResourceStats } from './types.js';

/** What one pool holds and has counted. */
export class PoolState<R> {
  /** Sessions holding entries here, by ID. */
  readonly groups = new Map<string, Group<R>>();
  /** Ready entries outside `use()`, least recently used first. */
  readonly idle = new IdleList<Entry<R>>();
  /** Creations and closes in flight, until they settle. */
  readonly pending = new Set<Promise<unknown>>();
  /** Resources closed, by reason. The counters below are those of {@link ResourceStats}. */
  readonly closedBy: Record<ResourceCloseReason, number> = {
    'session-ended': 0,
    idle: 0,
    failures: 0,
    deleted: 0,
    shutdown: 0,
  };
  resources = 0;
  creating = 0;
  inUse = 0;
  created = 0;
  createFailures = 0;
  failures = 0;
  closeFailures = 0;
  evicted = 0;
  readonly #clock: Clock;
  readonly #idleTimeoutMs: number;

  /** @param idleTimeoutMs `0`: entries never join the idle list. */
  constructor(clock: Clock, idleTimeoutMs: number) {
    this.#clock = clock;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** The entry for `(sessionId, key)`, in any state. */
  find(sessionId: string, key: string): Entry<R> | undefined {
    return this.groups.get(sessionId)?.entries.get(key);
  }

  /** Keeps `work` in {@link PoolState.pending} until it settles; answers it. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(noop, noop);
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return work;
  }

  /** Waits until nothing is in flight, including work started meanwhile. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Restarts the entry's idle clock, unless a `use()` holds it or nothing idles out. */
  touch(entry: Entry<R>): void {
    if (entry.uses === 0 && this.#idleTimeoutMs !== 0) this.idle.touch(entry, this.#clock.now());
  }

  /** Removes the entry from its session's map; drops a session left with nothing. */
  forget(entry: Entry<R>): void {
    const group = entry.group;
    if (group.entries.get(entry.key) === entry) group.entries.delete(entry.key);
    if (group.entries.size === 0 && group.endReason === undefined) {
      if (this.groups.get(group.sessionId) === group) this.groups.delete(group.sessionId);
      group.unsubscribe();
    }
  }

  /** The counters as {@link SessionResources.stats} answers them. */
  stats(): ResourceStats {
    return {
      sessions: this.groups.size,
      resources: this.resources,
      creating: this.creating,
      inUse: this.inUse,
      created: this.created,
      createFailures: this.createFailures,
      failures: this.failures,
      closed: { ...this.closedBy },
      closeFailures: this.closeFailures,
      evicted: this.evicted,
    };
  }
}
