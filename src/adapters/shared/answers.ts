import { SessionError } from '../../core/errors.js';
import type { Resolution, Tombstone } from '../../core/types.js';
import {
  EXPIRED_HEADER,
  EXPIRED_REASON_HEADER,
  type HttpAnswer,
  INTERNAL_ERROR_RPC_CODE,
  type JsonRpcId,
  jsonRpcErrorAnswer,
  PARSE_ERROR_RPC_CODE,
  REQUEST_ERROR_RPC_CODE,
  SESSION_NOT_FOUND_RPC_CODE,
  type SessionNotFoundCode,
} from '../../protocol.js';

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
    return jsonRpcErrorAnswer(404, SESSION_NOT_FOUND_RPC_CODE, 'Session not found', {
      data: { code: 'SESSION_NOT_FOUND' satisfies SessionNotFoundCode },
      id,
    });
  }
  return jsonRpcErrorAnswer(404, SESSION_NOT_FOUND_RPC_CODE, 'Session not found', {
    headers: { [EXPIRED_HEADER]: 'true', [EXPIRED_REASON_HEADER]: tombstone.reason },
    data: {
      code: 'SESSION_EXPIRED' satisfies SessionNotFoundCode,
      reason: tombstone.reason,
      endedAt: new Date(tombstone.endedAt).toISOString(),
    },
    id,
  });
}

/** A JSON-RPC `-32000` error with `status` (400 unless said) and a message saying what was wrong. */
export function badRequest(message: string, id: JsonRpcId = null, status = 400): HttpAnswer {
  return jsonRpcErrorAnswer(status, REQUEST_ERROR_RPC_CODE, message, { id });
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

/** The `Retry-After` header of `seconds`, rounded up to a whole second, at least 1. */
function retryAfter(seconds: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(seconds))) };
}

/** 503 with `Retry-After` (seconds, at least 1) and a JSON-RPC `-32000` error. */
export function serviceUnavailable(
  message: string,
  retryAfterSeconds: number,
  id: JsonRpcId = null,
): HttpAnswer {
  return jsonRpcErrorAnswer(503, REQUEST_ERROR_RPC_CODE, message, {
    headers: retryAfter(retryAfterSeconds),
    id,
  });
}

/**
 * 429 with `Retry-After` (seconds, at least 1) and a JSON-RPC `-32000` error whose message names
 * the limit and whose `data.code` says which: `OWNER_QUOTA` (the client's owner holds
 * `maxSessionsPerOwner` sessions) or `RATE_LIMITED` (it, or the client's address, created
 * `creationRate.perOwner` or `perAddress` sessions in the current window). Nothing names the
 * owner or the address.
 */
export function tooManySessions(
  code: 'OWNER_QUOTA' | 'RATE_LIMITED',
  message: string,
  retryAfterSeconds: number,
  id: JsonRpcId = null,
): HttpAnswer {
  return jsonRpcErrorAnswer(429, REQUEST_ERROR_RPC_CODE, message, {
    headers: retryAfter(retryAfterSeconds),
    data: { code },
    id,
  });
}

/** 503 for requests that arrive after the handler was closed. */
export function shuttingDown(retryAfterSeconds: number, id: JsonRpcId = null): HttpAnswer {
  return serviceUnavailable('Server shutting down; retry later.', retryAfterSeconds, id);
}

/** The 404 of a resolution that is not active. */
export function answerForResolution(
  resolution: Exclude<Resolution, { status: 'active' }>,
  id: JsonRpcId = null,
): HttpAnswer {
  return sessionNotFound(resolution.status === 'ended' ? resolution.tombstone : undefined, id);
}

/**
 * Maps a failure to its HTTP answer: malformed IDs and arguments 400; an owner at its quota 429
 * with `Retry-After`; an owner past its creation rate 429 with `Retry-After` until its window
 * frees a slot (the error's `retryAfterMs`, in whole seconds, at least 1); capacity, store
 * outages and a closed manager 503 with `Retry-After`; anything else 500 (with a generic
 * message: the details stay in the logs).
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
      case 'OWNER_QUOTA':
        return tooManySessions('OWNER_QUOTA', error.message, retryAfterSeconds, id);
      case 'RATE_LIMITED':
        return tooManySessions(
          'RATE_LIMITED',
          error.message,
          error.retryAfterMs === undefined ? retryAfterSeconds : error.retryAfterMs / 1000,
          id,
        );
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
        return shuttingDown(retryAfterSeconds, id);
      default:
        break;
    }
  }
  return jsonRpcErrorAnswer(500, INTERNAL_ERROR_RPC_CODE, 'Internal error', { id });
}

/** 400 with JSON-RPC `-32700`: the body is not valid JSON. */
export function parseError(): HttpAnswer {
  return jsonRpcErrorAnswer(400, PARSE_ERROR_RPC_CODE, 'Parse error: Invalid JSON');
}

/** 413: the body is larger than `maxBytes`. */
export function payloadTooLarge(maxBytes: number): HttpAnswer {
  return badRequest(`Payload Too Large: Request body must not exceed ${maxBytes} bytes`, null, 413);
}

/** 415 for a `POST` whose body is not declared as JSON. */
export function unsupportedMediaType(): HttpAnswer {
  return badRequest('Unsupported Content-Type: expected application/json.', null, 415);
}

/** 405 with `Allow`, for methods other than `allowed`. */
export function methodNotAllowed(allowed: readonly string[]): HttpAnswer {
  return jsonRpcErrorAnswer(405, REQUEST_ERROR_RPC_CODE, 'Method not allowed.', {
    headers: { allow: allowed.join(', ') },
  });
}

/** 403 with a JSON-RPC `-32000` error: the request is refused (DNS rebinding protection). */
export function forbidden(message: string, id: JsonRpcId = null): HttpAnswer {
  return badRequest(message, id, 403);
}

/** 406 with a JSON-RPC `-32000` error: the `Accept` header lacks a type the answer needs. */
export function notAcceptable(message: string, id: JsonRpcId = null): HttpAnswer {
  return badRequest(message, id, 406);
}

/** 400 for a body that is JSON but not a JSON-RPC message. */
export function invalidMessage(id: JsonRpcId): HttpAnswer {
  return badRequest('Invalid JSON-RPC message.', id);
}

/**
 * 400 for a request that names a live session of another transport (a legacy `POST /messages`
 * for a Streamable HTTP session, or the reverse). The session is left as it is.
 *
 * @param kind the `kind` the session was created with (`undefined`: none).
 * @param expected the transport the request came through, e.g. `'sse'`.
 */
export function wrongSessionKind(
  kind: string | undefined,
  expected: string,
  id: JsonRpcId = null,
): HttpAnswer {
  const owner = kind === undefined ? 'no transport' : `the ${kind} transport`;
  return badRequest(
    `This session belongs to ${owner}, not ${expected}; send its requests through the transport that created it.`,
    id,
  );
}

/** A Web `Response` for an answer (for fetch-style servers). */
export function toWebResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}
