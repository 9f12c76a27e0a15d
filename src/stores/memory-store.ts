import {
  type CreateResult,
  deadlineOf,
  type EndedNow,
  type EndResult,
  expiryReasonOf,
  type NewSession,
  type SessionStore,
  type StoreLookup,
  type StorePolicy,
} from '../core/store.js';
import type { EndReason, JsonValue, SessionRecord, Tombstone } from '../core/types.js';

/** Rarely-set fields, kept out of the node so a plain session costs one pointer for all four. */
interface Extras {
  readonly owner: string | undefined;
  readonly kind: string | undefined;
  readonly data: JsonValue | undefined;
  readonly init: JsonValue | undefined;
}

/**
 * One live session: the record itself and its place in the touch-ordered list (intrusive, so
 * a touch is an unlink and an append, with no allocation).
 */
class SessionNode implements SessionRecord {
  prev: SessionNode | undefined = undefined;
  next: SessionNode | undefined = undefined;
  lastSeenAt: number;

  constructor(
    readonly id: string,
    readonly createdAt: number,
    readonly extras: Extras | undefined,
  ) {
    this.lastSeenAt = createdAt;
  }

  get owner(): string | undefined {
    return this.extras?.owner;
  }
  get kind(): string | undefined {
    return this.extras?.kind;
  }
  get data(): JsonValue | undefined {
    return this.extras?.data;
  }
  get init(): JsonValue | undefined {
    return this.extras?.init;
  }

  toJSON(): SessionRecord {
    return {
      id: this.id,
      owner: this.owner,
      kind: this.kind,
      data: this.data,
      init: this.init,
      createdAt: this.createdAt,
      lastSeenAt: this.lastSeenAt,
    };
  }
}

function extrasOf(session: NewSession): Extras | undefined {
  const { owner, kind, data, init } = session;
  if (owner === undefined && kind === undefined && data === undefined && init === undefined) {
    return undefined;
  }
  return { owner, kind, data, init };
}

/**
 * The default {@link SessionStore}: everything in this process.
 *
 * A `Map` finds a session; an intrusive doubly linked list keeps sessions in touch order, so a
 * touch is O(1) and a sweep walks from the least recently touched end and stops at the first
 * session still alive (its cost follows what expired, not what lives). With a maximum lifetime,
 * a creation-ordered queue does the same for lifetimes. Tombstones live in a `Map` in end order
 * and are dropped oldest first, by age and by count.
 */
export class MemoryStore implements SessionStore {
  /** Sessions die with the process. */
  readonly shared = false;

  readonly #sessions = new Map<string, SessionNode>();
  readonly #tombstones = new Map<string, Tombstone>();
  /** Least recently touched. */
  #head: SessionNode | undefined = undefined;
  /** Most recently touched. */
  #tail: SessionNode | undefined = undefined;
  /** Creation order, for lifetimes; ended nodes are skipped when they reach the front. */
  #byCreation: SessionNode[] = [];
  #byCreationHead = 0;

  async create(session: NewSession, policy: StorePolicy): Promise<CreateResult> {
    return this.createSync(session, policy);
  }

  /** Synchronous {@link MemoryStore.create}, for benchmarks and in-process callers. */
  createSync(session: NewSession, policy: StorePolicy): CreateResult {
    const id = session.id;
    if (this.#sessions.has(id)) return 'exists';
    const tombstone = this.#tombstones.get(id);
    if (tombstone !== undefined && tombstone.endedAt + policy.tombstoneTtlMs > session.createdAt) {
      return 'exists';
    }
    if (this.#sessions.size >= policy.maxSessions) return 'full';
    if (tombstone !== undefined) this.#tombstones.delete(id);
    const node = new SessionNode(id, session.createdAt, extrasOf(session));
    this.#sessions.set(id, node);
    this.#append(node);
    if (policy.maxLifetimeMs > 0) this.#byCreation.push(node);
    return 'created';
  }

  async get(id: string, now: number, policy: StorePolicy): Promise<StoreLookup> {
    return this.#lookup(id, now, policy, false, false);
  }

  async touch(id: string, now: number, policy: StorePolicy, revive = false): Promise<StoreLookup> {
    return this.#lookup(id, now, policy, true, revive);
  }

  /** Synchronous {@link MemoryStore.touch}, for benchmarks and in-process callers. */
  touchSync(id: string, now: number, policy: StorePolicy, revive = false): StoreLookup {
    return this.#lookup(id, now, policy, true, revive);
  }

  async end(id: string, reason: EndReason, now: number, policy: StorePolicy): Promise<EndResult> {
    const node = this.#sessions.get(id);
    if (node !== undefined) return this.#endNode(node, reason, now, policy);
    const tombstone = this.#liveTombstone(id, now, policy);
    return tombstone === undefined ? UNKNOWN : { status: 'ended', tombstone };
  }

  async claimExpired(now: number, limit: number, policy: StorePolicy): Promise<EndedNow[]> {
    return this.claimExpiredSync(now, limit, policy);
  }

  /** Synchronous {@link MemoryStore.claimExpired}, for benchmarks and in-process callers. */
  claimExpiredSync(now: number, limit: number, policy: StorePolicy): EndedNow[] {
    const claimed: EndedNow[] = [];
    if (policy.idleTtlMs > 0) {
      const cutoff = now - policy.idleTtlMs;
      let node = this.#head;
      while (node !== undefined && claimed.length < limit && node.lastSeenAt <= cutoff) {
        const next = node.next;
        claimed.push(this.#endNode(node, expiryReasonOf(node.createdAt, policy, now), now, policy));
        node = next;
      }
    }
    if (policy.maxLifetimeMs > 0) this.#claimLifetimes(now, limit, policy, claimed);
    this.#purgeTombstones(now, policy);
    return claimed;
  }

  async oldest(limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (let node = this.#head; node !== undefined && ids.length < limit; node = node.next) {
      ids.push(node.id);
    }
    return ids;
  }

  async count(now: number, policy: StorePolicy): Promise<{ sessions: number; tombstones: number }> {
    this.#purgeTombstones(now, policy);
    return { sessions: this.#sessions.size, tombstones: this.#tombstones.size };
  }

  async *list(): AsyncIterable<SessionRecord> {
    for (const node of [...this.#sessions.values()]) {
      if (this.#sessions.get(node.id) === node) yield node;
    }
  }

  async close(): Promise<void> {
    this.#sessions.clear();
    this.#tombstones.clear();
    this.#head = this.#tail = undefined;
    this.#byCreation = [];
    this.#byCreationHead = 0;
  }

  #lookup(
    id: string,
    now: number,
    policy: StorePolicy,
    touch: boolean,
    revive: boolean,
  ): StoreLookup {
    const node = this.#sessions.get(id);
    if (node !== undefined) {
      if (deadlineOf(node.createdAt, node.lastSeenAt, policy) <= now) {
        const reason = expiryReasonOf(node.createdAt, policy, now);
        if (!revive || reason === 'lifetime') return { status: 'expired', session: node, reason };
      }
      if (touch) {
        if (now > node.lastSeenAt) node.lastSeenAt = now;
        if (node !== this.#tail) {
          this.#unlink(node);
          this.#append(node);
        }
      }
      return { status: 'active', session: node };
    }
    const tombstone = this.#liveTombstone(id, now, policy);
    return tombstone === undefined ? UNKNOWN : { status: 'ended', tombstone };
  }

  #liveTombstone(id: string, now: number, policy: StorePolicy): Tombstone | undefined {
    const tombstone = this.#tombstones.get(id);
    if (tombstone === undefined || tombstone.endedAt + policy.tombstoneTtlMs > now)
      return tombstone;
    return undefined;
  }

  #endNode(node: SessionNode, reason: EndReason, now: number, policy: StorePolicy): EndedNow {
    this.#sessions.delete(node.id);
    this.#unlink(node);
    const tombstone: Tombstone = { id: node.id, owner: node.owner, reason, endedAt: now };
    if (policy.tombstoneTtlMs > 0 && policy.maxTombstones > 0) {
      this.#tombstones.set(node.id, tombstone);
      if (this.#tombstones.size > policy.maxTombstones) {
        const oldest = this.#tombstones.keys().next();
        if (oldest.done !== true) this.#tombstones.delete(oldest.value);
      }
    }
    return { status: 'ended-now', session: node, tombstone };
  }

  #claimLifetimes(now: number, limit: number, policy: StorePolicy, claimed: EndedNow[]): void {
    const queue = this.#byCreation;
    let i = this.#byCreationHead;
    const cutoff = now - policy.maxLifetimeMs;
    while (i < queue.length && claimed.length < limit) {
      const node = queue[i]!;
      if (this.#sessions.get(node.id) === node) {
        if (node.createdAt > cutoff) break;
        claimed.push(this.#endNode(node, 'lifetime', now, policy));
      }
      i++;
    }
    if (i > 1024 && i * 2 > queue.length) {
      this.#byCreation = queue.slice(i);
      i = 0;
    }
    this.#byCreationHead = i;
  }

  #purgeTombstones(now: number, policy: StorePolicy): void {
    const cutoff = now - policy.tombstoneTtlMs;
    for (const [id, tombstone] of this.#tombstones) {
      if (tombstone.endedAt > cutoff && this.#tombstones.size <= policy.maxTombstones) break;
      this.#tombstones.delete(id);
    }
  }

  #append(node: SessionNode): void {
    node.prev = this.#tail;
    node.next = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.next = node;
    this.#tail = node;
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

const UNKNOWN = Object.freeze({ status: 'unknown' as const });
