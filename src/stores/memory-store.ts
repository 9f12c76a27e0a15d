import type {
  CreateResult,
  EndedNow,
  EndResult,
  ListByOwnerOptions,
  NewSession,
  OwnerCheck,
  PinChange,
  SessionStore,
  StoreCounts,
  StoreLookup,
  StorePolicy,
  UpdateResult,
} from '../core/store.js';
import type { EndReason, JsonValue, SessionRecord } from '../core/types.js';
import { MemoryEngine } from './memory/engine.js';

/**
 * The default {@link SessionStore}: everything in this process.
 *
 * A `Map` finds a session and a touch writes one field, O(1). The sweep finds due sessions
 * without scanning the live ones: sessions are filed in creation order, and a session the sweep
 * finds touched since it was filed is filed again under its last touch (a min-heap), so a sweep
 * costs what expired plus what was touched since filed, not what lives. `evictOldest` ends the
 * least recently touched session no replica holds pinned (pins are kept on the session, by
 * holder; ties within a millisecond in any order). Tombstones live in a
 * `Map` in end order and are dropped oldest first, by age and by count. Sessions with an owner
 * are also indexed by owner (a `Map` of sets, updated by create and every end, eviction
 * included, never by a touch) for `maxSessionsPerOwner` and `listByOwner`.
 */
export class MemoryStore implements SessionStore {
  /** Sessions die with the process. */
  readonly shared = false;

  readonly #engine = new MemoryEngine();

  async create(session: NewSession, policy: StorePolicy): Promise<CreateResult> {
    return this.#engine.create(session, policy);
  }

  async get(
    id: string,
    now: number,
    policy: StorePolicy,
    owner?: OwnerCheck,
  ): Promise<StoreLookup> {
    return this.#engine.get(id, now, policy, owner);
  }

  async touch(
    id: string,
    now: number,
    policy: StorePolicy,
    revive = false,
    owner?: OwnerCheck,
    pin?: PinChange,
  ): Promise<StoreLookup> {
    return this.#engine.touch(id, now, policy, revive, owner, pin);
  }

  async end(id: string, reason: EndReason, now: number, policy: StorePolicy): Promise<EndResult> {
    return this.#engine.end(id, reason, now, policy);
  }

  async claimExpired(now: number, limit: number, policy: StorePolicy): Promise<EndedNow[]> {
    return this.#engine.claimExpired(now, limit, policy);
  }

  async evictOldest(now: number, policy: StorePolicy): Promise<EndedNow | undefined> {
    return this.#engine.evictOldest(now, policy);
  }

  async count(now: number, policy: StorePolicy): Promise<StoreCounts> {
    const { sessions, tombstones } = this.#engine.count(now, policy);
    return { sessions, tombstones, initBytes: this.#engine.initBytes };
  }

  async *list(): AsyncIterable<SessionRecord> {
    for (const record of this.#engine.records()) {
      if (this.#engine.isLive(record)) yield record;
    }
  }

  async listByOwner(
    owner: string,
    _policy: StorePolicy,
    options?: ListByOwnerOptions,
  ): Promise<SessionRecord[]> {
    return this.#engine.listByOwner(owner, options);
  }

  async update(
    id: string,
    expectedVersion: number,
    data: JsonValue,
    now: number,
    policy: StorePolicy,
    owner?: OwnerCheck,
  ): Promise<UpdateResult> {
    return this.#engine.update(id, expectedVersion, data, now, policy, owner);
  }

  async close(): Promise<void> {
    this.#engine.clear();
  }
}
