/**
 * The wire contract both transports answer with and the client reads: header names, `data.code`
 * values, JSON-RPC error codes, and the one builder of JSON-RPC error answers.
 *
 * @module
 */

/** The header that carries the session ID on Streamable HTTP. */
export const SESSION_ID_HEADER = 'mcp-session-id';

/** Set to `true` on 404 answers for sessions that existed and ended. */
export const EXPIRED_HEADER = 'x-session-expired';

/** The end reason (`idle`, `deleted`, ...), on 404 answers for sessions that existed and ended. */
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

/** `data.code` of a 404 body: the session existed and ended, or never existed (or is not yours). */
export type SessionNotFoundCode = 'SESSION_EXPIRED' | 'SESSION_NOT_FOUND';

/** JSON-RPC error code of session-not-found answers. */
export const SESSION_NOT_FOUND_RPC_CODE = -32001;
/** JSON-RPC error code of other request errors (bad request, unavailable, closed connection). */
export const REQUEST_ERROR_RPC_CODE = -32000;
/** JSON-RPC error code of a body that is not valid JSON. */
export const PARSE_ERROR_RPC_CODE = -32700;
/** JSON-RPC error code of unexpected server failures. */
export const INTERNAL_ERROR_RPC_CODE = -32603;

/** A JSON-RPC request ID as echoed in error bodies. */
export type JsonRpcId = string | number | null;

/** A complete HTTP answer, independent of the server framework. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text. */
  readonly body: string;
}

/** Extras of {@link jsonRpcErrorAnswer}. */
export interface JsonRpcErrorExtras {
  /** Headers besides `content-type: application/json`. @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /** The error's `data` member. @default none (no `data` member) */
  readonly data?: unknown;
  /** The request ID to echo. @default null */
  readonly id?: JsonRpcId;
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
});

/**
 * Builds an HTTP answer whose body is a JSON-RPC error:
 * `{"jsonrpc":"2.0","error":{"code","message","data"?},"id"}`. Every error answer of this
 * package is built here.
 */
export function jsonRpcErrorAnswer(
  status: number,
  code: number,
  message: string,
  extras: JsonRpcErrorExtras = {},
): HttpAnswer {
  const error =
    extras.data === undefined ? { code, message } : { code, message, data: extras.data };
  return {
    status,
    headers: extras.headers === undefined ? JSON_HEADERS : { ...JSON_HEADERS, ...extras.headers },
    body: JSON.stringify({ jsonrpc: '2.0', error, id: extras.id ?? null }),
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
