/**
 * mcp-sessions: sessions for MCP servers, for application code. The session manager, its
 * records and errors, and the in-memory store. Transports, Redis, the client helper, the
 * resource pool and the store-author contract live in their own entry points.
 *
 * @module
 */
export { type Clock, systemClock } from './core/clock.js';
export {
  type AdapterEvent,
  REJECTION_CAUSES,
  type RejectionCause,
  type SessionCounters,
} from './core/counters.js';
export type { CreationRate } from './core/creation-rate.js';
export { isSessionError, SessionError, type SessionErrorCode } from './core/errors.js';
export type {
  SessionEndInfo,
  SessionEvents,
  SessionFailure,
  SessionFailurePhase,
} from './core/events.js';
export { type Logger, maskSessionId } from './core/logger.js';
export type {
  Acquisition,
  CreateSessionOptions,
  EndHook,
  Lease,
  ResolveOptions,
  SessionStats,
} from './core/manager-types.js';
export type { SessionManagerOptions } from './core/options.js';
export {
  assertValidSessionId,
  generateSessionId,
  isValidSessionId,
  MAX_SESSION_ID_LENGTH,
} from './core/session-id.js';
export { SessionManager } from './core/session-manager.js';
export type { ListByOwnerOptions, SessionStore } from './core/store.js';
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
export type { SessionUpdater, UpdateOptions } from './core/updates.js';
export { MemoryStore } from './stores/memory-store.js';
