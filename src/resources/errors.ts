import type { EndReason } from '../core/types.js';

/**
 * Machine-readable cause of a {@link ResourceError}.
 *
 * - `SESSION_NOT_FOUND`: the session never existed, its tombstone is gone, or it belongs to
 *   another owner (indistinguishable on purpose, like the manager's `unknown`).
 * - `SESSION_ENDED`: the session ended, before the get or while its resource was being created
 *   (a resource that arrives late is closed at once).
 * - `CREATE_FAILED`: the `create` factory threw or rejected; its error is in `cause`. Nothing
 *   was cached: the next get tries again.
 * - `INVALID_RESOURCE`: the factory returned a value the pool cannot close (no `close()`,
 *   `dispose()`, `Symbol.asyncDispose` or `Symbol.dispose`) and no `close` option was given.
 * - `DELETED`: the resource was deleted (or evicted) before it could be handed out.
 * - `CLOSE_FAILED`: closing a resource threw or rejected (reported, never thrown to a getter).
 * - `CLOSE_TIMEOUT`: closing a resource took longer than `closeTimeoutMs` (reported, never thrown).
 * - `CLOSED`: the pool was closed.
 */
export type ResourceErrorCode =
  | 'SESSION_NOT_FOUND'
  | 'SESSION_ENDED'
  | 'CREATE_FAILED'
  | 'INVALID_RESOURCE'
  | 'DELETED'
  | 'CLOSE_FAILED'
  | 'CLOSE_TIMEOUT'
  | 'CLOSED';

/**
 * The error of {@link SessionResources}. Switch on {@link ResourceError.code}; the factory's or
 * the closer's own error, where there is one, is in `cause`.
 */
export class ResourceError extends Error {
  /** What went wrong, as a stable code. */
  readonly code: ResourceErrorCode;
  /** The session the resource belongs to (`undefined` for pool-wide failures). */
  readonly sessionId: string | undefined;
  /** The resource key within the session (`undefined` for pool-wide failures). */
  readonly key: string | undefined;
  /** Why the session ended, with code `SESSION_ENDED` when known. */
  readonly reason: EndReason | undefined;

  constructor(
    code: ResourceErrorCode,
    message: string,
    details: {
      sessionId?: string | undefined;
      key?: string | undefined;
      reason?: EndReason | undefined;
      cause?: unknown;
    },
  ) {
    super(message, 'cause' in details ? { cause: details.cause } : undefined);
    this.name = 'ResourceError';
    this.code = code;
    this.sessionId = details.sessionId;
    this.key = details.key;
    this.reason = details.reason;
  }
}

/** True when `error` is a {@link ResourceError} (with `code`, when given). */
export function isResourceError(error: unknown, code?: ResourceErrorCode): error is ResourceError {
  return error instanceof ResourceError && (code === undefined || error.code === code);
}
