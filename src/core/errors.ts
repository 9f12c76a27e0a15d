import type { Tombstone } from './types.js';

/**
 * Machine-readable cause of a {@link SessionError}.
 *
 * - `INVALID_OPTION`: a constructor or per-call option is out of range.
 * - `INVALID_ARGUMENT`: a method argument is malformed (bad end reason, non-JSON data, ...).
 * - `INVALID_SESSION_ID`: an ID is empty, too long, or has a character outside 0x21–0x7E.
 * - `SESSION_EXISTS`: the ID is already in use (live or tombstoned).
 * - `CAPACITY`: `maxSessions` reached and nothing could be evicted.
 * - `OWNER_QUOTA`: the new session's owner already holds `maxSessionsPerOwner` live sessions;
 *   nothing was evicted for it. The message names the limit, never the owner.
 * - `RATE_LIMITED`: the new session's owner created `creationRate.perOwner` sessions, or its
 *   client address `creationRate.perAddress`, in the current window on this replica;
 *   {@link SessionError.retryAfterMs} says when the window ends. Nothing was created or sent to
 *   the store. The message names the limit, never the owner or the address.
 * - `STORE_UNAVAILABLE`: the store could not be reached or answered with an error; nothing
 *   was changed on our side, try again later.
 * - `STORE_CORRUPT`: the store holds data under our keys that we cannot read.
 * - `CLOSED`: the manager (or the client helper) was closed.
 * - `SESSION_NOT_FOUND`: the session never existed, its tombstone is gone, or it belongs to
 *   another owner (indistinguishable on purpose, like a lookup's `unknown`).
 * - `SESSION_ENDED`: the session has ended; {@link SessionError.tombstone} says why and when.
 * - `UPDATE_CONFLICT`: the session's data kept changing under an update until it ran out of
 *   attempts; nothing was written by it.
 */
export type SessionErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_ARGUMENT'
  | 'INVALID_SESSION_ID'
  | 'SESSION_EXISTS'
  | 'CAPACITY'
  | 'OWNER_QUOTA'
  | 'RATE_LIMITED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CORRUPT'
  | 'CLOSED'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_ENDED'
  | 'UPDATE_CONFLICT';

/**
 * The one error class this library throws. Switch on {@link SessionError.code}, never on the
 * message; the original error, where there is one, is in `cause`.
 */
export class SessionError extends Error {
  /** What went wrong, as a stable code. */
  readonly code: SessionErrorCode;
  /** With code `SESSION_ENDED`: the session's tombstone (why and when it ended). */
  readonly tombstone: Tombstone | undefined;
  /** With code `RATE_LIMITED`: ms until the owner's window frees a slot (else `undefined`). */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: SessionErrorCode,
    message: string,
    options?: {
      cause?: unknown;
      tombstone?: Tombstone | undefined;
      retryAfterMs?: number | undefined;
    },
  ) {
    super(
      message,
      options !== undefined && 'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'SessionError';
    this.code = code;
    this.tombstone = options?.tombstone;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** True when `error` is a {@link SessionError} (with `code`, when given). */
export function isSessionError(error: unknown, code?: SessionErrorCode): error is SessionError {
  return error instanceof SessionError && (code === undefined || error.code === code);
}

/** The message of an error, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Wraps anything a store threw as `STORE_UNAVAILABLE`, keeping our own errors as they are. */
export function toStoreError(error: unknown, operation: string): SessionError {
  if (error instanceof SessionError) return error;
  return new SessionError(
    'STORE_UNAVAILABLE',
    `Session store failed during ${operation}: ${errorMessage(error)}`,
    {
      cause: error,
    },
  );
}

/** Where a store failure is counted (a manager's counters). */
export interface StoreFailureCount {
  storeFailed(error: SessionError): unknown;
}

/**
 * Runs one store operation; anything it throws (synchronously too) or rejects with becomes a
 * `SessionError` (see {@link toStoreError}), counted on `counters` when given.
 */
export async function callStore<T>(
  operation: string,
  run: () => Promise<T>,
  counters?: StoreFailureCount,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = toStoreError(error, operation);
    counters?.storeFailed(failure);
    throw failure;
  }
}
