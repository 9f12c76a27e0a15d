/**
 * mcp-sessions/streamable-http: sessions for the SDK's Streamable HTTP transport.
 *
 * - {@link StreamableHttpHandler}: a complete endpoint (one transport and one server per
 *   session) with node:http/Express and Web `Request -> Response` front doors.
 * - {@link StreamableHttpGate}: per-request checks and transport options for servers that keep
 *   their own map of SDK transports.
 *
 * @module
 */
export {
  EXPIRED_HEADER,
  EXPIRED_REASON_HEADER,
  EXPOSED_HEADERS,
  SESSION_ID_HEADER,
} from '../http/answers.js';
export type { ServerFactory, SessionServer } from '../http/server.js';
export { STREAMABLE_HTTP_KIND, wrongSessionKind } from '../http/session-kind.js';
export {
  type Admission,
  type NodeOwnerOf,
  StreamableHttpGate,
  type StreamableHttpGateOptions,
} from './gate.js';
export { type NodeRequest, StreamableHttpHandler, type WebRequestOptions } from './handler.js';
export type { OwnerOf, StreamableHttpHandlerOptions, TransportExtras } from './options.js';
export { replayInitialize } from './replay.js';
