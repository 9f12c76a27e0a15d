/**
 * mcp-sessions/v2: sessions for SDK v2 (`@modelcontextprotocol/server`), both protocol eras on
 * one endpoint.
 *
 * - {@link StreamableHttpHandler}: 2025-era clients get sessions (one SDK v2 transport and one
 *   server per session), 2026-07-28 clients SDK v2's stateless `createMcpHandler`; node:http /
 *   Express and Web `Request -> Response` doors.
 * - {@link StreamableHttpGate}: for servers that keep their own SDK v2 wiring: tells the eras
 *   apart and gives 2025-era requests the session checks and answers.
 *
 * Never loads SDK v1 (`@modelcontextprotocol/sdk`).
 *
 * @module
 */

export type { RelayEnvelope, SessionRelay } from '../../core/relay.js';
export {
  EXPIRED_HEADER,
  EXPIRED_REASON_HEADER,
  EXPOSED_HEADERS,
  SESSION_ID_HEADER,
} from '../../protocol.js';
export type { NodeRequest } from '../shared/node-bridge.js';
export type { WebRequestOptions } from '../shared/options.js';
export type { OwnerOf } from '../shared/owner.js';
export type { SdkEventStore, SdkTransportOptions } from '../streamable-http/sdk.js';
export { type LegacyAdmission, type ModernPass, StreamableHttpGate } from './gate.js';
export { StreamableHttpHandler } from './handler.js';
export type {
  ServerContext,
  TransportExtras,
  /** The v2 gate's options, under the name the SDK v1 entry gives its own. */
  V2GateOptions as StreamableHttpGateOptions,
  V2GateOptions,
  /** The v2 handler's options, under the name the SDK v1 entry gives its own. */
  V2HandlerOptions as StreamableHttpHandlerOptions,
  V2HandlerOptions,
  /** The v2 server factory, under the name the SDK v1 entry gives its own. */
  V2ServerFactory as ServerFactory,
  V2ServerFactory,
} from './options.js';
