/**
 * mcp-sessions/stores: for people who write a session store. The {@link SessionStore} contract
 * with its result types, the deadline helpers every store applies the same way, and the fleet
 * contracts a store's companion may implement ({@link SessionRelay}, {@link EventLogSource}). Check an
 * implementation with `describeStoreConformance` from `mcp-sessions/testing`.
 *
 * @module
 */
export { isSessionError, SessionError, type SessionErrorCode } from '../core/errors.js';
export type {
  EventLogSource,
  RelayEnvelope,
  RelayListener,
  SessionEventLog,
  SessionRelay,
} from '../core/relay.js';
export {
  type CreateResult,
  DEFAULT_PIN_LEASE_MS,
  deadlineOf,
  type EndedNow,
  type EndResult,
  EVICTION_SCAN_LIMIT,
  type ExpiredLookup,
  expiryReasonOf,
  type ListByOwnerOptions,
  type NewSession,
  type OwnerCheck,
  ownerMatches,
  type PinChange,
  pinLeaseMs,
  type SessionStore,
  type StoreCounts,
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
