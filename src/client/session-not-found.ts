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

/** The HTTP status an SDK client transport error carries, when it carries one. */
function httpStatusOf(error: Error): number | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  const match = HTTP_STATUS_IN_MESSAGE.exec(error.message);
  return match === null ? undefined : Number(match[1]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Recognizes a session-not-found 404 from an mcp-sessions server in an error thrown by the SDK
 * client: a `StreamableHTTPError` with code 404 (Streamable HTTP) or an
 * `Error POSTing to endpoint (HTTP 404)` error (legacy HTTP+SSE), whose message carries a JSON-RPC
 * error body with code `-32001` and `data.code` `SESSION_EXPIRED` or `SESSION_NOT_FOUND`.
 *
 * Pure and total: anything else (another status, a 404 with another body such as a wrong URL or
 * the SDK's own session 404, a non-error value) answers `undefined`; it never throws.
 */
export function parseSessionNotFound(error: unknown): SessionNotFound | undefined {
  if (!(error instanceof Error) || httpStatusOf(error) !== 404) return undefined;
  const start = error.message.indexOf('{');
  if (start < 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(error.message.slice(start));
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
