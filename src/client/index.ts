/**
 * mcp-sessions/client: keep SDK clients on a live session. When a server answers 404 for a
 * session it ended or never had, {@link connectWithRecovery} re-initializes and retries the
 * request once; {@link parseSessionNotFound} reads such a 404 from the SDK's error.
 *
 * @module
 */
export type { SessionNotFoundCode } from '../protocol.js';
export type { RecoverableClient, RecoverableTransport, TransportOf } from './client-shape.js';
export type { RecoveryOptions, SessionRecovery } from './options.js';
export {
  connectWithRecovery,
  type Recovering,
  type RecoveringClient,
  type RecoveringMethod,
  type TransportFactory,
} from './recovering-client.js';
export { parseSessionNotFound, type SessionNotFound } from './session-not-found.js';
