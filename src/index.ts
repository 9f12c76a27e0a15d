/**
 * mcp-sessions: sessions for MCP servers. The core and the in-memory store; transports, Redis
 * and the client helper live in their own entry points.
 *
 * @module
 */
export { type Clock, systemClock } from './core/clock.js';
export { isSessionError, SessionError, type SessionErrorCode } from './core/errors.js';
export type {
  SessionEndInfo,
  SessionEvents,
  SessionFailure,
  SessionFailurePhase,
} from './core/events.js';
export { type Logger, maskSessionId } from './core/logger.js';
export type { SessionManagerOptions } from './core/options.js';
export { copySessionRecord } from './core/record.js';
export {
  assertValidSessionId,
  generateSessionId,
  isValidSessionId,
  MAX_SESSION_ID_LENGTH,
} from './core/session-id.js';
export {
  type Acquisition,
  type CreateSessionOptions,
  type EndHook,
  type Lease,
  type ResolveOptions,
  SessionManager,
  type SessionStats,
} from './core/session-manager.js';
export {
  type ActiveResolution,
  END_REASONS,
  type EndedResolution,
  type EndReason,
  type JsonValue,
  type Resolution,
  type SessionRecord,
  type Tombstone,
  type UnknownResolution,
} from './core/types.js';
export { isResourceError, ResourceError, type ResourceErrorCode } from './resources/errors.js';
export type { SessionResourcesOptions } from './resources/options.js';
export { SessionResources } from './resources/session-resources.js';
export {
  RESOURCE_CLOSE_REASONS,
  type ResourceCloseContext,
  type ResourceClosedInfo,
  type ResourceCloseReason,
  type ResourceContext,
  type ResourceEvents,
  type ResourceFailure,
  type ResourceInfo,
  type ResourceStats,
} from './resources/types.js';
export { MemoryStore } from './stores/memory-store.js';
export {
  type CreateResult,
  deadlineOf,
  type EndedNow,
  type EndResult,
  type ExpiredLookup,
  expiryReasonOf,
  type NewSession,
  type SessionStore,
  type StoreLookup,
  type StorePolicy,
} from './stores/store.js';
