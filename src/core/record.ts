/**
 * Records as they leave the manager: plain, detached snapshots. Internal.
 *
 * @module
 */
import { type OwnerCheck, ownerMatches } from './store.js';
import { type Resolution, type SessionRecord, UNKNOWN } from './types.js';

/**
 * A detached, plain copy of a session record with every field (an own property each, on
 * `Object.prototype`). Stores may answer live views (the memory store's records are nodes of
 * its list whose fields a spread copy loses); this is how one becomes a value to hand out.
 */
export function copySessionRecord(record: SessionRecord): SessionRecord {
  return {
    id: record.id,
    owner: record.owner,
    kind: record.kind,
    data: record.data,
    init: record.init,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
    version: record.version,
  };
}

/**
 * What a caller with principal `owner` sees of a live session: an active resolution over a
 * snapshot of `session`, or `unknown` when the session belongs to someone else (exactly what a
 * never-seen ID answers). The store already made this check before any write; it is repeated
 * here for stores that predate it. Allocates the snapshot and its resolution, nothing for
 * another owner.
 */
export function visibleTo(session: SessionRecord, owner: OwnerCheck): Resolution {
  if (!ownerMatches(session.owner, owner)) return UNKNOWN;
  return { status: 'active', session: copySessionRecord(session) };
}
