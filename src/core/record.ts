import type { SessionRecord } from './types.js';

/**
 * A detached, plain copy of a session record. Records from the memory store are live views
 * that change with later touches; copy one before keeping it.
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
  };
}
