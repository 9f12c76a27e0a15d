import { SessionError } from '../../core/errors.js';
import type { Resolution, Tombstone } from '../../core/types.js';

/** The header that carries the session ID on Streamable HTTP. */
export const SESSION_ID_HEADER = 'mcp-session-id';

/** Set on 404 answers for sessions that existed and ended. */
export const EXPIRED_HEADER = 'x-session-expired';
/** The end reason, on 404 answers for sessions that existed and ended. */
export const EXPIRED_REASON_HEADER = 'x-session-expired-reason';

/**
 * Response headers a browser client needs to read; put them in CORS
 * `Access-Control-Expose-Headers`.
 */
export const EXPOSED_HEADERS: readonly string[] = Object.freeze([
  SESSION_ID_HEADER,
  'mcp-protocol-version',
  EXPIRED_HEADER,
  EXPIRED_REASON_HEADER,
]);

/** A JSON-RPC request ID as echoed in error bodies. */
export type JsonRpcId = string | number | null;

/** A complete HTTP answer, independent of the server framework. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/** `data.code` of a 404 body: the session existed and ended, or never existed (or is not yours). */
export type SessionNotFoundCode = 'SESSION_EXPIRED' | 'SESSION_NOT_FOUND';

/** JSON-RPC error code of session-not-found answers. */
export const SESSION_NOT_FOUND_RPC_CODE = -32001;
/** JSON-RPC error code of other request errors (bad request, unavailable). */
export const REQUEST_ERROR_RPC_CODE = -32000;

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

function rpcError(code: number, message: string, id: JsonRpcId, data?: unknown): string {
  const error = data === undefined ? { code, message } : { code, message, data };
  return JSON.stringify({ jsonrpc: '2.0', error, id });
}

/**
 * 404 for a session that is gone. With a tombstone: `data.code` `SESSION_EXPIRED`, the reason and
 * `endedAt` (ISO 8601), plus the `X-Session-Expired` headers; without: `SESSION_NOT_FOUND` and no
 * expiry headers, byte-for-byte the same for every unknown or foreign ID.
 */
export function sessionNotFound(
  tombstone: Tombstone | undefined,
  id: JsonRpcId = null,
): HttpAnswer {
  if (tombstone === undefined) {
    return {
      status: 404,
      headers: JSON_HEADERS,
      body: rpcError(SESSION_NOT_FOUND_RPC_CODE, 'Session not found', id, {
        code: 'SESSION_NOT_FOUND',
      }),
    };
  }
  return {
    status: 404,
    headers: {
      ...JSON_HEADERS,
      [EXPIRED_HEADER]: 'true',
      [EXPIRED_REASON_HEADER]: tombstone.reason,
    },
    body: rpcError(SESSION_NOT_FOUND_RPC_CODE, 'Session not found', id, {
      code: 'SESSION_EXPIRED',
      reason: tombstone.reason,
      endedAt: new Date(tombstone.endedAt).toISOString(),
    }),
  };
}

/** 400 with a JSON-RPC `-32000` error and a message that says what was wrong. */
export function badRequest(message: string, id: JsonRpcId = null): HttpAnswer {
  return {
    status: 400,
    headers: JSON_HEADERS,
    body: rpcError(REQUEST_ERROR_RPC_CODE, message, id),
  };
}

/** 400 for a request other than `initialize` that names no session. */
export function missingSessionHeader(id: JsonRpcId = null): HttpAnswer {
  return badRequest('Bad Request: Mcp-Session-Id header is required', id);
}

/** 400 for a session header that is not 1 to 256 visible ASCII characters. */
export function malformedSessionHeader(id: JsonRpcId = null): HttpAnswer {
  return badRequest(
    'Bad Request: malformed Mcp-Session-Id header; expected 1 to 256 visible ASCII characters (0x21–0x7E).',
    id,
  );
}

/** 503 with `Retry-After` (seconds) and a JSON-RPC `-32000` error. */
export function serviceUnavailable(
  message: string,
  retryAfterSeconds: number,
  id: JsonRpcId = null,
): HttpAnswer {
  return {
    status: 503,
    headers: { ...JSON_HEADERS, 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    body: rpcError(REQUEST_ERROR_RPC_CODE, message, id),
  };
}

/** The 404 for a resolution that is not active; `undefined` for an active one. */
export function answerForResolution(
  resolution: Resolution,
  id: JsonRpcId = null,
): HttpAnswer | undefined {
  if (resolution.status === 'active') return undefined;
  return sessionNotFound(resolution.status === 'ended' ? resolution.tombstone : undefined, id);
}

/**
 * Maps a failure to its HTTP answer: malformed IDs and arguments 400; capacity, store outages
 * and a closed manager 503 with `Retry-After`; anything else 500 (with a generic message: the
 * details stay in the logs).
 */
export function answerForError(
  error: unknown,
  id: JsonRpcId = null,
  retryAfterSeconds = 1,
): HttpAnswer {
  if (error instanceof SessionError) {
    switch (error.code) {
      case 'INVALID_SESSION_ID':
      case 'INVALID_ARGUMENT':
        return badRequest(error.message, id);
      case 'CAPACITY':
        return serviceUnavailable(
          'Server at session capacity; retry later.',
          retryAfterSeconds,
          id,
        );
      case 'STORE_UNAVAILABLE':
      case 'STORE_CORRUPT':
        return serviceUnavailable('Session store unavailable; retry later.', retryAfterSeconds, id);
      case 'CLOSED':
        return serviceUnavailable('Server shutting down; retry later.', retryAfterSeconds, id);
      default:
        break;
    }
  }
  return {
    status: 500,
    headers: JSON_HEADERS,
    body: rpcError(-32603, 'Internal error', id),
  };
}

/**
 * The JSON-RPC `id` to echo in an error body: the request's own ID for a single request,
 * `null` for notifications, batches and anything unparsable.
 */
export function requestIdOf(body: unknown): JsonRpcId {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

/** A Web `Response` for an answer (for fetch-style servers). */
export function toWebResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Writes an answer to a node:http `ServerResponse`-like object (unless headers already went out). */
export function writeNodeAnswer(
  res: {
    headersSent?: boolean;
    writeHead(status: number, headers: Record<string, string>): unknown;
    end(body: string): unknown;
  },
  answer: HttpAnswer,
): void {
  if (res.headersSent === true) return;
  res.writeHead(answer.status, { ...answer.headers });
  res.end(answer.body);
}
