import { SESSION_NOT_FOUND_RPC_CODE, type SessionNotFoundCode } from '../protocol.js';

/**
 * A server's 404 for a session it no longer has, as read from the SDK client's error by
 * {@link parseSessionNotFound}.
 */
export interface SessionNotFound {
  /** HTTP status of the answer; always 404. */
  readonly status: 404;
  /** `SESSION_EXPIRED`: the session existed and ended; `SESSION_NOT_FOUND`: unknown to the server. */
  readonly code: SessionNotFoundCode;
  /** Why the session ended (`idle`, `deleted`, ...), when the server said so. */
  readonly reason?: string;
  /** When the session ended, in ms since the epoch, when the server said so. */
  readonly endedAt?: number;
}

const CODES: ReadonlySet<string> = new Set<SessionNotFoundCode>([
  'SESSION_EXPIRED',
  'SESSION_NOT_FOUND',
]);
const HTTP_STATUS_IN_MESSAGE = /\(HTTP (\d{3})\)/;

/**
 * The HTTP status an SDK client transport error carries, when it carries one: v2's
 * `SdkHttpError.status`, v1's numeric `StreamableHTTPError.code`, or v1's `(HTTP nnn)` message.
 */
function httpStatusOf(error: Error): number | undefined {
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') return status;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  const match = HTTP_STATUS_IN_MESSAGE.exec(error.message);
  return match === null ? undefined : Number(match[1]);
}

/** The answer body an SDK client error carries: v2's `SdkHttpError.data.text`, else its message. */
function bodyTextOf(error: Error): string {
  const data = (error as { data?: unknown }).data;
  if (isRecord(data) && typeof data.text === 'string') return data.text;
  const start = error.message.indexOf('{');
  return start < 0 ? '' : error.message.slice(start);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Recognizes a session-not-found 404 from an mcp-sessions server in an error thrown by the SDK
 * client: from SDK v1, a `StreamableHTTPError` with code 404 (Streamable HTTP) or an
 * `Error POSTing to endpoint (HTTP 404)` error (legacy HTTP+SSE), whose message carries the body;
 * from SDK v2, an `SdkHttpError` with `status` 404, whose `data.text` carries the body. The body
 * is a JSON-RPC error with code `-32001` and `data.code` `SESSION_EXPIRED` or `SESSION_NOT_FOUND`.
 * Errors are read by shape: neither SDK is loaded.
 *
 * Pure and total: anything else (another status, a 404 with another body such as a wrong URL or
 * the SDK's own session 404, a non-error value) answers `undefined`; it never throws.
 */
export function parseSessionNotFound(error: unknown): SessionNotFound | undefined {
  if (!(error instanceof Error) || httpStatusOf(error) !== 404) return undefined;
  const text = bodyTextOf(error);
  if (text === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(body) || !isRecord(body.error)) return undefined;
  const { code: rpcCode, data } = body.error;
  if (rpcCode !== SESSION_NOT_FOUND_RPC_CODE || !isRecord(data)) return undefined;
  const code = data.code;
  if (typeof code !== 'string' || !CODES.has(code)) return undefined;
  const info: { status: 404; code: SessionNotFoundCode; reason?: string; endedAt?: number } = {
    status: 404,
    code: code as SessionNotFoundCode,
  };
  if (typeof data.reason === 'string') info.reason = data.reason;
  if (typeof data.endedAt === 'string') {
    const endedAt = Date.parse(data.endedAt);
    if (!Number.isNaN(endedAt)) info.endedAt = endedAt;
  }
  return info;
}
