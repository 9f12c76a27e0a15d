import type { ListByOwnerOptions } from '../../core/store.js';
import type { SessionNode } from './session-node.js';

/**
 * The memory engine's index of live sessions by owner: a `Map` from owner to the set of its
 * sessions, in creation order. Sessions without an owner are not indexed. An owner whose last
 * session ends is dropped, so the index holds only owners with live sessions. Touches never
 * reach it.
 */
export class OwnerIndex {
  readonly #byOwner = new Map<string, Set<SessionNode>>();

  /** How many live sessions `owner` holds. */
  count(owner: string): number {
    return this.#byOwner.get(owner)?.size ?? 0;
  }

  /** Files a new session under its owner (a no-op without one). */
  add(node: SessionNode): void {
    const owner = node.owner;
    if (owner === undefined) return;
    const held = this.#byOwner.get(owner);
    if (held === undefined) this.#byOwner.set(owner, new Set([node]));
    else held.add(node);
  }

  /** Takes an ending session out (a no-op when it is not there). */
  remove(node: SessionNode): void {
    const owner = node.owner;
    if (owner === undefined) return;
    const held = this.#byOwner.get(owner);
    if (held === undefined) return;
    held.delete(node);
    if (held.size === 0) this.#byOwner.delete(owner);
  }

  /** `owner`'s sessions, oldest first, filtered by `options.kind` and cut at `options.limit`. */
  list(owner: string, options: ListByOwnerOptions = {}): SessionNode[] {
    const held = this.#byOwner.get(owner);
    const out: SessionNode[] = [];
    if (held === undefined) return out;
    const limit = options.limit ?? Infinity;
    for (const node of held) {
      if (out.length >= limit) break;
      if (options.kind === undefined || node.kind === options.kind) out.push(node);
    }
    return out;
  }

  /** How many sessions the index holds, over every owner (for tests). */
  get size(): number {
    let size = 0;
    for (const held of this.#byOwner.values()) size += held.size;
    return size;
  }

  /** Drops everything. */
  clear(): void {
    this.#byOwner.clear();
  }
}
