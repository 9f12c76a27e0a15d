/** A node of an {@link IdleList}: the fields live on the item itself, so moving allocates nothing. */
export interface IdleNode {
  idlePrev: IdleNode | undefined;
  idleNext: IdleNode | undefined;
  /** When the item was last used, in clock ms. */
  idleSince: number;
  /** True while the item is in a list. */
  idleLinked: boolean;
}

/**
 * An intrusive doubly linked list ordered by last use, oldest first: touch is unlink + append,
 * O(1), and a sweep stops at the first item still in use.
 */
export class IdleList<T extends IdleNode> {
  #head: T | undefined;
  #tail: T | undefined;

  /** The least recently used item. */
  get oldest(): T | undefined {
    return this.#head;
  }

  /** Marks `node` used at `now`: moves it to the newest end. */
  touch(node: T, now: number): void {
    node.idleSince = now;
    if (node.idleLinked) {
      if (this.#tail === node) return;
      this.remove(node);
    }
    node.idlePrev = this.#tail;
    node.idleNext = undefined;
    if (this.#tail === undefined) this.#head = node;
    else this.#tail.idleNext = node;
    this.#tail = node;
    node.idleLinked = true;
  }

  /** Takes `node` out of the list (no-op when it is not in it). */
  remove(node: T): void {
    if (!node.idleLinked) return;
    const { idlePrev: prev, idleNext: next } = node;
    if (prev === undefined) this.#head = next as T | undefined;
    else prev.idleNext = next;
    if (next === undefined) this.#tail = prev as T | undefined;
    else next.idlePrev = prev;
    node.idlePrev = undefined;
    node.idleNext = undefined;
    node.idleLinked = false;
  }
}
