import { createHash } from 'node:crypto';

/** The prefix used when none is given: one hash tag for the whole namespace. */
export const DEFAULT_PREFIX = 'mcps:{default}:';

/** True when `prefix` holds a Redis Cluster hash tag: a `{`, then a non-empty run up to `}`. */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/** A prefix without a hash tag gets `{default}:` appended, so every key shares one slot. */
export function taggedPrefix(prefix: string): string {
  return hasHashTag(prefix) ? prefix : `${prefix}{default}:`;
}

/**
 * Every key of one namespace. Session `<prefix>s:<id>` and tombstone `<prefix>t:<id>` hashes;
 * sorted sets `<prefix>idle` (IDs by last touch), `<prefix>life` (by creation) and
 * `<prefix>ended` (tombstones by end time); per owner, `<prefix>owner:<SHA1 hex of the owner>`
 * (its sessions by creation, see `lua/includes/owners.lua`); the event log stream `<prefix>events:<id>` and the
 * stream holder string `<prefix>stream:<id>`. The prefix's hash tag puts them all in one slot.
 */
export class KeyLayout {
  readonly prefix: string;
  readonly idle: string;
  readonly life: string;
  readonly ended: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.idle = `${prefix}idle`;
    this.life = `${prefix}life`;
    this.ended = `${prefix}ended`;
  }

  session(id: string): string {
    return `${this.prefix}s:${id}`;
  }

  tombstone(id: string): string {
    return `${this.prefix}t:${id}`;
  }

  /** The owner index of `owner`; the Lua scripts build the same name with `redis.sha1hex`. */
  owner(owner: string): string {
    return `${this.prefix}owner:${createHash('sha1').update(owner).digest('hex')}`;
  }

  /** The session's event log (a Redis stream); deleted by the end and claim scripts. */
  events(id: string): string {
    return `${this.prefix}events:${id}`;
  }

  /** Which replica holds the session's stream (a string with a TTL). */
  streamHolder(id: string): string {
    return `${this.prefix}stream:${id}`;
  }

  /** The Pub/Sub channel of one replica's relay. */
  replicaChannel(replicaId: string): string {
    return `${this.prefix}relay:r:${replicaId}`;
  }

  /** The Pub/Sub channel every replica's relay listens to. */
  get broadcastChannel(): string {
    return `${this.prefix}relay:all`;
  }

  /** The Pub/Sub channel of the server event bus (`subscriptions/listen` change events). */
  get eventBusChannel(): string {
    return `${this.prefix}bus`;
  }
}
