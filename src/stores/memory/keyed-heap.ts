/** What the heap needs of an entry: its own position, kept up to date by the heap. */
export interface HeapEntry {
  /** Index in the heap, `-1` when not in it. */
  heapIndex: number;
}

/**
 * A binary min-heap of entries by a numeric key, with removal of any entry in O(log n) (each
 * entry knows its index). Keys live in a plain array of doubles beside the entries, so sifting
 * compares without reading the entries themselves.
 */
export class KeyedHeap<T extends HeapEntry> {
  readonly #entries: T[] = [];
  readonly #keys: number[] = [];

  /** How many entries the heap holds. */
  get size(): number {
    return this.#entries.length;
  }

  /** The entry with the smallest key, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#entries[0];
  }

  /** The smallest key; `Infinity` when empty. */
  peekKey(): number {
    return this.#entries.length === 0 ? Infinity : this.#keys[0]!;
  }

  /** The key of the entry at `index`. */
  keyAt(index: number): number {
    return this.#keys[index]!;
  }

  /** Adds `entry` (not in the heap) under `key`. */
  push(entry: T, key: number): void {
    const i = this.#entries.length;
    this.#entries.push(entry);
    this.#keys.push(key);
    entry.heapIndex = i;
    this.#up(i);
  }

  /** Gives the smallest entry a new key, not smaller than its old one. */
  rekeyTop(key: number): void {
    this.#keys[0] = key;
    this.#down(0);
  }

  /** Takes `entry` (in the heap) out. */
  remove(entry: T): void {
    const i = entry.heapIndex;
    entry.heapIndex = -1;
    const lastEntry = this.#entries.pop()!;
    const lastKey = this.#keys.pop()!;
    if (i === this.#entries.length) return;
    this.#entries[i] = lastEntry;
    this.#keys[i] = lastKey;
    lastEntry.heapIndex = i;
    if (i > 0 && lastKey < this.#keys[(i - 1) >> 1]!) this.#up(i);
    else this.#down(i);
  }

  /** Empties the heap. */
  clear(): void {
    for (const entry of this.#entries) entry.heapIndex = -1;
    this.#entries.length = 0;
    this.#keys.length = 0;
  }

  #up(i: number): void {
    const entries = this.#entries;
    const keys = this.#keys;
    const entry = entries[i]!;
    const key = keys[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      entries[i] = entries[parent]!;
      keys[i] = keys[parent]!;
      entries[i]!.heapIndex = i;
      i = parent;
    }
    entries[i] = entry;
    keys[i] = key;
    entry.heapIndex = i;
  }

  #down(i: number): void {
    const entries = this.#entries;
    const keys = this.#keys;
    const n = entries.length;
    const entry = entries[i]!;
    const key = keys[i]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && keys[child + 1]! < keys[child]!) child++;
      if (keys[child]! >= key) break;
      entries[i] = entries[child]!;
      keys[i] = keys[child]!;
      entries[i]!.heapIndex = i;
      i = child;
    }
    entries[i] = entry;
    keys[i] = key;
    entry.heapIndex = i;
  }
}
