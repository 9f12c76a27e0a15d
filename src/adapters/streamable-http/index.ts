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
export type { ServerFactory, SessionServer } from '../shared/server.js';
export type { GateTransportOptions, StreamableHttpGateBase } from './gate.js';
export type { StreamableHttpHandlerBase } from './handler.js';
export type {
  StreamableHttpGateOptions,
  StreamableHttpHandlerOptions,
  TransportExtras,
} from './options.js';
export { InitializeReplayError, replayInitialize } from './replay.js';
export type { SdkEventStore, SdkTransportOptions } from './sdk.js';
export { type Admission, StreamableHttpGate, StreamableHttpHandler } from './v1.js';
