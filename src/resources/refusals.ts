/**
 * The errors the pool answers a get with, and the check of a resource key. Internal to the
 * resource pool.
 *
 * @module
 */
import { errorMessage, SessionError } from '../core/errors.js';
import { maskSessionId } from '../core/logger.js';
import type { Resolution } from '../core/types.js';
import type { Entry } from './entry.js';
import { ResourceError } from './errors.js';
import type { ResourceCloseReason } from './types.js';

/** The longest resource key accepted. */
const MAX_KEY_CHARS = 1024;

/** A string of 1 to 1024 characters. @throws SessionError `INVALID_ARGUMENT` */
export function checkKey(key: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid resource key: expected a string of 1 to ${MAX_KEY_CHARS} characters.`,
    );
  }
}

/** `SESSION_NOT_FOUND`: unknown, or another owner's (indistinguishable on purpose). */
export function notFound(sessionId: string, key: string): ResourceError {
  return new ResourceError(
    'SESSION_NOT_FOUND',
    `Session ${maskSessionId(sessionId)} is not active for this caller; no resource "${key}" for it.`,
    { sessionId, key },
  );
}

/** `CLOSED`: the pool was closed. */
export function closedError(sessionId: string | undefined, key: string | undefined): ResourceError {
  return new ResourceError('CLOSED', 'The resource pool is closed.', { sessionId, key });
}

/** Why a get for a session that is not active is refused: ended, or not found. */
export function inactiveError(
  resolution: Resolution,
  sessionId: string,
  key: string,
): ResourceError {
  if (resolution.status !== 'ended') return notFound(sessionId, key);
  const reason = resolution.tombstone.reason;
  return new ResourceError(
    'SESSION_ENDED',
    `Session ${maskSessionId(sessionId)} has ended (${reason}); no resource "${key}" for it.`,
    { sessionId, key, reason },
  );
}

/** Why the getters of a resource closed (or doomed) before it was handed out are refused. */
export function abandonedError<R>(entry: Entry<R>, reason: ResourceCloseReason): ResourceError {
  const { group, key } = entry;
  const { sessionId } = group;
  switch (reason) {
    case 'shutdown':
      return closedError(sessionId, key);
    case 'session-ended':
      return new ResourceError(
        'SESSION_ENDED',
        `Session ${maskSessionId(sessionId)} ended while resource "${key}" was being created.`,
        { sessionId, key, reason: group.endReason },
      );
    default:
      return new ResourceError(
        'DELETED',
        `Resource "${key}" of session ${maskSessionId(sessionId)} was closed (${reason}) before it could be handed out.`,
        { sessionId, key },
      );
  }
}

/** `CREATE_FAILED`: the factory threw or rejected (its error in `cause`). */
export function createFailed(sessionId: string, key: string, cause: unknown): ResourceError {
  return new ResourceError(
    'CREATE_FAILED',
    `Creating resource "${key}" for session ${maskSessionId(sessionId)} failed: ${errorMessage(cause)}`,
    { sessionId, key, cause },
  );
}

/** `INVALID_RESOURCE`: the factory's value cannot be closed and no `close` option was given. */
export function invalidResource(sessionId: string, key: string): ResourceError {
  return new ResourceError(
    'INVALID_RESOURCE',
    `The resource created for "${key}" has no close(), dispose(), Symbol.asyncDispose or Symbol.dispose; pass a \`close\` option.`,
    { sessionId, key },
  );
}
