/**
 * mcp-sessions/streamable-http: sessions for the SDK's Streamable HTTP transport.
 *
 * - {@link StreamableHttpHandler}: a complete endpoint (one transport and one server per
 *   session) with node:http/Express and Web `Request -> Response` front doors.
 *
 * @module
 */
export {
  EXPIRED_HEADER,
  EXPIRED_REASON_HEADER,
  EXPOSED_HEADERS,
  SESSION_ID_HEADER,
} from '../http/answers.js';
export {
  type NodeRequest,
  STREAMABLE_HTTP_KIND,
  StreamableHttpHandler,
  type WebRequestOptions,
} from './handler.js';
export type {
  OwnerOf,
  ServerFactory,
  SessionServer,
  StreamableHttpHandlerOptions,
  TransportExtras,
} from './options.js';
export { replayInitialize } from './replay.js';
