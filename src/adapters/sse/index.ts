/**
 * mcp-sessions/sse: sessions for the SDK's legacy HTTP+SSE transport (`SSEServerTransport`).
 *
 * - {@link SseHandler}: a complete endpoint for `GET /sse` and `POST /messages` (one transport
 *   and one server per session, IDs from the manager's `generateId`), with node:http/Express and
 *   Web `Request -> Response` front doors.
 * - {@link SseGate}: per-request checks for servers that keep their own map of SDK transports.
 *
 * @module
 */

export type { RelayEnvelope, SessionRelay } from '../../core/relay.js';
export { EXPIRED_HEADER, EXPIRED_REASON_HEADER, EXPOSED_HEADERS } from '../../protocol.js';
export type { NodeRequest } from '../shared/node-bridge.js';
export type { WebRequestOptions } from '../shared/options.js';
export type { OwnerOf } from '../shared/owner.js';
export type { ServerFactory, SessionServer } from '../shared/server.js';
export {
  type SseAdmission,
  type SseAttachOptions,
  SseGate,
  type SseTransportLike,
} from './gate.js';
export { SseHandler } from './handler.js';
export { KEEP_ALIVE_FRAME } from './keep-alive.js';
export type { SseGateOptions, SseHandlerOptions } from './options.js';
