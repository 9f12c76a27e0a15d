import type { Tombstone } from '../../core/types.js';

/**
 * The memory engine's tombstones: a `Map` by ID for lookups, and a queue in end order for
 * dropping the oldest. Dropping never iterates the `Map`: V8 leaves a deleted entry as a hole
 * that iteration from the front skips, so "the first key" of a `Map` that is deleted from at the
 * front costs more with every delete until the table is rebuilt. A queue entry whose ID was
 * freed early (the ID was created again) is skipped when it reaches the front.
 */
export class TombstoneLog {
  readonly #byId = new Map<string, Tombstone>();
  #queue: Tombstone[] = [];
  #head = 0;

  /** How many tombstones are kept. */
  get size(): number {
    return this.#byId.size;
  }

  /** The tombstone of `id`, whatever its age. */
  get(id: string): Tombstone | undefined {
    return this.#byId.get(id);
  }

  /** Forgets the tombstone of `id` (its ID is being used again). */
  delete(id: string): void {
    this.#byId.delete(id);
  }

  /** Keeps `tombstone` (for an ID without one), then drops the oldest beyond `max`. */
  add(tombstone: Tombstone, max: number): void {
    this.#byId.set(tombstone.id, tombstone);
    this.#queue.push(tombstone);
    this.purge(-Infinity, max);
  }

  /** Drops, oldest first, the tombstones ended at or before `cutoff` and any beyond `max`. */
  purge(cutoff: number, max: number): void {
    const queue = this.#queue;
    let i = this.#head;
    while (i < queue.length) {
      const tombstone = queue[i]!;
      if (this.#byId.get(tombstone.id) === tombstone) {
        if (tombstone.endedAt > cutoff && this.#byId.size <= max) break;
        this.#byId.delete(tombstone.id);
      }
      i++;
    }
    if (i > 1024 && i * 2 > queue.length) {
      this.#queue = queue.slice(i);
      i = 0;
    }
    this.#head = i;
  }

  /** Drops every tombstone. */
  clear(): void {
    this.#byId.clear();
    this.#queue = [];
    this.#head = 0;
  }
}
