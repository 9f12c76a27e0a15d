import { utf8Length } from '../../core/init-text.js';
import {
  type CreateResult,
  deadlineOf,
  type EndedNow,
  type EndResult,
  EVICTION_SCAN_LIMIT,
  expiryReasonOf,
  type ListByOwnerOptions,
  type NewSession,
  type OwnerCheck,
  ownerMatches,
  type PinChange,
  pinLeaseMs,
  type StoreLookup,
  type StorePolicy,
  type UpdateResult,
} from '../../core/store.js';
import type { EndReason, JsonValue, SessionRecord, Tombstone } from '../../core/types.js';
import { KeyedHeap } from './keyed-heap.js';
import { OwnerIndex } from './owner-index.js';
import { SessionNode } from './session-node.js';
import { TombstoneLog } from './tombstone-log.js';

const UNKNOWN = Object.freeze({ status: 'unknown' as const });

/**
 * The memory store's synchronous engine (internal: `MemoryStore` wraps it in the async
 * `SessionStore` contract; benchmarks drive it directly).
 *
 * A `Map` finds a session. A touch only writes `lastSeenAt` on the session: it is as cheap as a
 * field write on a plain map entry. For the sweep, every session is filed under a key that is
 * never later than its `lastSeenAt`: at creation, at the tail of an intrusive list in creation
 * order (key `createdAt`); once filed again, in a min-heap keyed by the `lastSeenAt` it had
 * then. The sweep takes the smallest key while it is past the idle cutoff: a session not
 * touched since it was filed is due and ends; a touched one is filed again under its
 * `lastSeenAt`, which is past the cutoff, and the sweep goes on. It stops at the first key not
 * past the cutoff, so its cost follows what expired plus what was touched since filed (each
 * session at most once per idle window), not what lives. `evictOldest` files touched sessions
 * again the same way to find the least recently touched. With a maximum lifetime, a second creation-ordered intrusive
 * list does the same for lifetimes. Ending a session unlinks it from every index at once, so an
 * ended session (and its stored `initialize`) is held by none of them. Tombstones are kept by ID and in end order, and dropped oldest first, by
 * age and by count.
 */
export class MemoryEngine {
  readonly #sessions = new Map<string, SessionNode>();
  readonly #tombstones = new TombstoneLog();
  readonly #owners = new OwnerIndex();
  /** Sessions never filed again, in creation order (key: `createdAt`): first. */
  #head: SessionNode | undefined = undefined;
  /** Sessions never filed again: last. */
  #tail: SessionNode | undefined = undefined;
  /** Sessions filed again, keyed by the `lastSeenAt` they had when filed. */
  readonly #refiled = new KeyedHeap<SessionNode>();
  /** Sessions in creation order, for lifetimes (only with a maximum lifetime): first. */
  #lifeHead: SessionNode | undefined = undefined;
  /** Sessions in creation order, for lifetimes: last. */
  #lifeTail: SessionNode | undefined = undefined;
  /** The stored `initialize` texts of the live sessions, in bytes as UTF-8. */
  #initBytes = 0;

  /** `SessionStore.create`, synchronously. */
  create(session: NewSession, policy: StorePolicy): CreateResult {
    const id = session.id;
    if (this.#sessions.has(id)) return 'exists';
    const tombstone = this.#tombstones.get(id);
    if (tombstone !== undefined && tombstone.endedAt + policy.tombstoneTtlMs > session.createdAt) {
      return 'exists';
    }
    const perOwner = policy.maxSessionsPerOwner ?? Infinity;
    if (session.owner !== undefined && this.#owners.count(session.owner) >= perOwner) {
      return 'owner-full';
    }
    if (this.#sessions.size >= policy.maxSessions) return 'full';
    if (tombstone !== undefined) this.#tombstones.delete(id);
    const node = new SessionNode(id, session.createdAt, session);
    this.#sessions.set(id, node);
    if (session.init !== undefined) this.#initBytes += utf8Length(session.init);
    this.#owners.add(node);
    this.#append(node);
    if (policy.maxLifetimeMs > 0) this.#appendLifetime(node);
    return 'created';
  }

  /** `SessionStore.get`, synchronously. */
  get(id: string, now: number, policy: StorePolicy, owner?: OwnerCheck): StoreLookup {
    return this.#lookup(id, now, policy, false, false, owner, undefined);
  }

  /** `SessionStore.touch`, synchronously. */
  touch(
    id: string,
    now: number,
    policy: StorePolicy,
    revive = false,
    owner?: OwnerCheck,
    pin?: PinChange,
  ): StoreLookup {
    return this.#lookup(id, now, policy, true, revive, owner, pin);
  }

  /** `SessionStore.update`, synchronously; the stored data is `data` itself (not a copy). */
  update(
    id: string,
    expectedVersion: number,
    data: JsonValue,
    now: number,
    policy: StorePolicy,
    owner?: OwnerCheck,
  ): UpdateResult {
    const lookup = this.#lookup(id, now, policy, false, false, owner, undefined);
    if (lookup.status !== 'active') return lookup;
    const node = lookup.session as SessionNode;
    if (node.version !== expectedVersion) return { status: 'conflict', session: node };
    node.replaceData(data);
    return { status: 'updated', session: node };
  }

  /** `SessionStore.end`, synchronously. */
  end(id: string, reason: EndReason, now: number, policy: StorePolicy): EndResult {
    const node = this.#sessions.get(id);
    if (node !== undefined) return this.#endNode(node, reason, now, policy);
    const tombstone = this.#liveTombstone(id, now, policy);
    return tombstone === undefined ? UNKNOWN : { status: 'ended', tombstone };
  }

  /** `SessionStore.claimExpired`, synchronously. */
  claimExpired(now: number, limit: number, policy: StorePolicy): EndedNow[] {
    const claimed: EndedNow[] = [];
    if (policy.idleTtlMs > 0) {
      const cutoff = now - policy.idleTtlMs;
      while (claimed.length < limit) {
        const node = this.#first(cutoff);
        if (node === undefined) break;
        if (node.lastSeenAt <= cutoff) {
          claimed.push(
            this.#endNode(node, expiryReasonOf(node.createdAt, policy, now), now, policy),
          );
        } else this.#refile(node);
      }
    }
    if (policy.maxLifetimeMs > 0) this.#claimLifetimes(now, limit, policy, claimed);
    this.#purgeTombstones(now, policy);
    return claimed;
  }

  /**
   * `SessionStore.evictOldest`, synchronously: walks sessions least recently touched first, as
   * the sweep does, past at most `EVICTION_SCAN_LIMIT` pinned ones, and ends the first unpinned.
   */
  evictOldest(now: number, policy: StorePolicy): EndedNow | undefined {
    const passed: SessionNode[] = [];
    let victim: SessionNode | undefined;
    while (passed.length < EVICTION_SCAN_LIMIT) {
      const node = this.#first(Infinity);
      if (node === undefined) break;
      if (this.#keyOf(node) < node.lastSeenAt) this.#refile(node);
      else if (!node.pinnedAt(now)) {
        victim = node;
        break;
      } else {
        this.#unfile(node);
        passed.push(node);
      }
    }
    for (const node of passed) this.#refiled.push(node, node.lastSeenAt);
    return victim === undefined ? undefined : this.#endNode(victim, 'evicted', now, policy);
  }

  /** `SessionStore.count`, synchronously. */
  count(now: number, policy: StorePolicy): { sessions: number; tombstones: number } {
    this.#purgeTombstones(now, policy);
    return { sessions: this.#sessions.size, tombstones: this.#tombstones.size };
  }

  /** The live sessions' stored `initialize` texts, in bytes as UTF-8. */
  get initBytes(): number {
    return this.#initBytes;
  }

  /** `SessionStore.listByOwner`, synchronously: the engine's own nodes, oldest first. */
  listByOwner(owner: string, options?: ListByOwnerOptions): SessionRecord[] {
    return this.#owners.list(owner, options);
  }

  /** The live sessions now, as an array (later ends do not change it). */
  records(): SessionRecord[] {
    return [...this.#sessions.values()];
  }

  /** Whether `record` (from {@link MemoryEngine.records}) is still live. */
  isLive(record: SessionRecord): boolean {
    return this.#sessions.get(record.id) === record;
  }

  /**
   * How many session nodes each index of the engine holds (internal, for tests: an ended session
   * must be held by none). It walks the intrusive lists, so it costs what lives.
   */
  heldNodes(): {
    sessions: number;
    listed: number;
    refiled: number;
    lifetimes: number;
    owned: number;
  } {
    let listed = 0;
    for (let node = this.#head; node !== undefined; node = node.next) listed++;
    let lifetimes = 0;
    for (let node = this.#lifeHead; node !== undefined; node = node.lifeNext) lifetimes++;
    return {
      sessions: this.#sessions.size,
      listed,
      refiled: this.#refiled.size,
      lifetimes,
      owned: this.#owners.size,
    };
  }

  /** Drops every session and tombstone. */
  clear(): void {
    this.#sessions.clear();
    this.#tombstones.clear();
    this.#owners.clear();
    this.#head = this.#tail = undefined;
    this.#refiled.clear();
    for (let node = this.#lifeHead; node !== undefined; ) {
      const next = node.lifeNext;
      node.lifePrev = node.lifeNext = undefined;
      node = next;
    }
    this.#lifeHead = this.#lifeTail = undefined;
  }

  #lookup(
    id: string,
    now: number,
    policy: StorePolicy,
    touch: boolean,
    revive: boolean,
    owner: OwnerCheck,
    pin: PinChange | undefined,
  ): StoreLookup {
    const node = this.#sessions.get(id);
    if (node !== undefined) {
      // Before any write: a stranger's lookup is an unknown ID's.
      if (!ownerMatches(node.owner, owner)) return UNKNOWN;
      if (deadlineOf(node.createdAt, node.lastSeenAt, policy) <= now) {
        const reason = expiryReasonOf(node.createdAt, policy, now);
        if (!revive || reason === 'lifetime') return { status: 'expired', session: node, reason };
      }
      if (touch && now > node.lastSeenAt) node.lastSeenAt = now;
      if (pin !== undefined) node.changePin(pin.holder, pin.hold, now + pinLeaseMs(policy));
      return { status: 'active', session: node };
    }
    const tombstone = this.#liveTombstone(id, now, policy);
    return tombstone === undefined || !ownerMatches(tombstone.owner, owner)
      ? UNKNOWN
      : { status: 'ended', tombstone };
  }

  #liveTombstone(id: string, now: number, policy: StorePolicy): Tombstone | undefined {
    const tombstone = this.#tombstones.get(id);
    if (tombstone === undefined || tombstone.endedAt + policy.tombstoneTtlMs > now)
      return tombstone;
    return undefined;
  }

  #endNode(node: SessionNode, reason: EndReason, now: number, policy: StorePolicy): EndedNow {
    this.#sessions.delete(node.id);
    const init = node.init;
    if (init !== undefined) this.#initBytes -= utf8Length(init);
    this.#unfile(node);
    this.#unlinkLifetime(node);
    this.#owners.remove(node);
    const tombstone: Tombstone = { id: node.id, owner: node.owner, reason, endedAt: now };
    if (policy.tombstoneTtlMs > 0 && policy.maxTombstones > 0) {
      this.#tombstones.add(tombstone, policy.maxTombstones);
    }
    return { status: 'ended-now', session: node, tombstone };
  }

  #claimLifetimes(now: number, limit: number, policy: StorePolicy, claimed: EndedNow[]): void {
    const cutoff = now - policy.maxLifetimeMs;
    while (claimed.length < limit) {
      const node = this.#lifeHead;
      if (node === undefined || node.createdAt > cutoff) break;
      claimed.push(this.#endNode(node, 'lifetime', now, policy));
    }
  }

  #purgeTombstones(now: number, policy: StorePolicy): void {
    this.#tombstones.purge(now - policy.tombstoneTtlMs, policy.maxTombstones);
  }

  /** The session filed under the smallest key, when that key is `<= cutoff`. */
  #first(cutoff: number): SessionNode | undefined {
    const listed = this.#head;
    const heapKey = this.#refiled.peekKey();
    if (listed !== undefined && listed.createdAt <= heapKey) {
      return listed.createdAt <= cutoff ? listed : undefined;
    }
    return heapKey <= cutoff ? this.#refiled.peek() : undefined;
  }

  #keyOf(node: SessionNode): number {
    return node.heapIndex < 0 ? node.createdAt : this.#refiled.keyAt(node.heapIndex);
  }

  /** Files `node` again under its `lastSeenAt`. */
  #refile(node: SessionNode): void {
    if (node.heapIndex === 0) {
      this.#refiled.rekeyTop(node.lastSeenAt);
      return;
    }
    this.#unfile(node);
    this.#refiled.push(node, node.lastSeenAt);
  }

  #unfile(node: SessionNode): void {
    if (node.heapIndex >= 0) this.#refiled.remove(node);
    else this.#unlink(node);
  }

  #append(node: SessionNode): void {
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
  }

  #appendLifetime(node: SessionNode): void {
    node.lifePrev = this.#lifeTail;
    node.lifeNext = undefined;
    if (this.#lifeTail === undefined) this.#lifeHead = node;
    else this.#lifeTail.lifeNext = node;
    this.#lifeTail = node;
  }

  /** Takes `node` out of the lifetime list; a no-op when it is not there. */
  #unlinkLifetime(node: SessionNode): void {
    const { lifePrev, lifeNext } = node;
    if (lifePrev === undefined) {
      if (this.#lifeHead !== node) return;
      this.#lifeHead = lifeNext;
    } else lifePrev.lifeNext = lifeNext;
    if (lifeNext === undefined) this.#lifeTail = lifePrev;
    else lifeNext.lifePrev = lifePrev;
    node.lifePrev = node.lifeNext = undefined;
  }

  #unlink(node: SessionNode): void {
    const { prev, next } = node;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    node.prev = node.next = undefined;
  }
}
