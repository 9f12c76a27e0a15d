/**
 * mcp-sessions/sse: sessions for the SDK's legacy HTTP+SSE transport (`SSEServerTransport`).
 *
 * Two levels: {@link createSseHooks} for servers that keep their own routing, and
 * {@link createSseHandler}, a complete node:http / Express handler for `GET /sse` and
 * `POST /messages`.
 *
 * @module
 */
export { SSE_SESSION_KIND, wrongSessionKind } from '../http/sse-kind.js';
export { createSseHandler, type SseHandler } from './handler.js';
export {
  createSseHooks,
  type SseAdmission,
  type SseAttachOptions,
  type SseHooks,
  type SseTransportLike,
} from './hooks.js';
export { KEEP_ALIVE_FRAME } from './keep-alive.js';
export type {
  OwnerOf,
  SseHandlerOptions,
  SseHooksOptions,
  SseRequest,
  SseServer,
  SseServerContext,
} from './options.js';
