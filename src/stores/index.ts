/**
 * mcp-sessions/stores: for people who write a session store. The {@link SessionStore} contract
 * with its result types, and the deadline helpers every store applies the same way. Check an
 * implementation with `describeStoreConformance` from `mcp-sessions/testing`.
 *
 * @module
 */
export { isSessionError, SessionError, type SessionErrorCode } from '../core/errors.js';
export {
  type CreateResult,
  deadlineOf,
  type EndedNow,
  type EndResult,
  type ExpiredLookup,
  expiryReasonOf,
  type NewSession,
  type OwnerCheck,
  ownerMatches,
  type SessionStore,
  type StoreLookup,
  type StorePolicy,
  type UpdateConflict,
  type UpdatedNow,
  type UpdateResult,
} from '../core/store.js';
export type {
  EndedResolution,
  EndReason,
  JsonValue,
  Resolution,
  SessionRecord,
  Tombstone,
} from '../core/types.js';
