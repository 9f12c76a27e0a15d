import type { NewSession } from '../../core/store.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';
import type { HeapEntry } from './keyed-heap.js';

/** Rarely-set fields, kept out of the node so a plain session costs one pointer for all four. */
interface Extras {
  readonly owner: string | undefined;
  readonly kind: string | undefined;
  readonly data: JsonValue | undefined;
  readonly init: string | undefined;
}

function extrasOf(session: NewSession): Extras | undefined {
  const { owner, kind, data, init } = session;
  if (owner === undefined && kind === undefined && data === undefined && init === undefined) {
    return undefined;
  }
  return { owner, kind, data, init };
}

/**
 * One live session of the memory engine: the record itself and where it is filed for the sweep,
 * either in the creation-ordered list (intrusive: `prev`, `next`) or in the heap of sessions
 * filed again after a touch (`heapIndex`, `-1` when not there), and, with a maximum lifetime, in
 * the creation-ordered lifetime list (intrusive: `lifePrev`, `lifeNext`). `pins` holds the
 * replicas' recorded pins, for eviction.
 */
export class SessionNode implements SessionRecord, HeapEntry {
  prev: SessionNode | undefined = undefined;
  next: SessionNode | undefined = undefined;
  lifePrev: SessionNode | undefined = undefined;
  lifeNext: SessionNode | undefined = undefined;
  heapIndex = -1;
  lastSeenAt: number;
  version = 1;
  /** The replicas holding the session pinned, each until the time its pin lapses. */
  pins: Map<string, number> | undefined = undefined;
  extras: Extras | undefined;

  constructor(
    readonly id: string,
    readonly createdAt: number,
    session: NewSession,
  ) {
    this.lastSeenAt = createdAt;
    this.extras = extrasOf(session);
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
  get init(): string | undefined {
    return this.extras?.init;
  }

  /** Replaces `data` and counts one more version. */
  replaceData(data: JsonValue): void {
    const { owner, kind, init } = this;
    this.extras = { owner, kind, data, init };
    this.version++;
  }

  /** Records or drops one replica's pin, as of `now`. */
  changePin(holder: string, hold: boolean, until: number): void {
    if (hold) {
      this.pins ??= new Map();
      this.pins.set(holder, until);
    } else if (this.pins !== undefined) {
      this.pins.delete(holder);
      if (this.pins.size === 0) this.pins = undefined;
    }
  }

  /** True while some replica's pin runs past `now`; forgets the pins that lapsed. */
  pinnedAt(now: number): boolean {
    const pins = this.pins;
    if (pins === undefined) return false;
    for (const [holder, until] of pins) if (until <= now) pins.delete(holder);
    if (pins.size > 0) return true;
    this.pins = undefined;
    return false;
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
      version: this.version,
    };
  }
}
