import { z } from 'zod';
import type { Logger } from '../core/logger.js';
import { isFunction, isObject, parseOptions } from '../core/validate.js';
import { parseSessionNotFound, type SessionNotFound } from './session-not-found.js';

/** What {@link RecoveryOptions.onRecover} receives: the lost session, the new one, and why. */
export interface SessionRecovery extends SessionNotFound {
  /** The session the server no longer had (`undefined` if the transport had none). */
  readonly previousSessionId: string | undefined;
  /** The session of the re-initialized connection (`undefined` for a stateless server). */
  readonly sessionId: string | undefined;
  /** The error that reported the loss, as the SDK threw it. */
  readonly error: unknown;
}

/** Options of `connectWithRecovery`. Every field is optional. */
export interface RecoveryOptions {
  /**
   * Called once per re-initialization, after the new session is connected and before the failed
   * request is retried. A throw or rejection is reported to `logger` and does not affect the
   * request. @default none
   */
  onRecover?: (event: SessionRecovery) => unknown;
  /**
   * Decides which failures mean the server lost the session; answer `undefined` for any other.
   * Replace it to recover from servers that answer session 404s in another shape (such as the
   * SDK's own server, whose body has no `data.code`). @default {@link parseSessionNotFound}
   */
  recognize?: (error: unknown) => SessionNotFound | undefined;
  /** Where failures of `onRecover` are reported. @default none */
  logger?: Logger;
}

/** Options after defaults. */
export interface ResolvedRecoveryOptions {
  readonly onRecover: ((event: SessionRecovery) => unknown) | undefined;
  readonly recognize: (error: unknown) => SessionNotFound | undefined;
  readonly logger: Logger | undefined;
}

const schema = z.strictObject({
  onRecover: z.custom<(event: SessionRecovery) => unknown>(isFunction).optional(),
  recognize: z.custom<(error: unknown) => SessionNotFound | undefined>(isFunction).optional(),
  logger: z.custom<Logger>(isObject).optional(),
});

const ACCEPTED: Record<string, string> = {
  onRecover: 'a function receiving the recovery event',
  recognize: 'a function from an error to a SessionNotFound or undefined',
  logger: 'an object with optional debug/info/warn/error methods',
};

/** Validates options once; throws `SessionError('INVALID_OPTION')` naming the field and value. */
export function resolveRecoveryOptions(options: RecoveryOptions = {}): ResolvedRecoveryOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'connectWithRecovery');
  return {
    onRecover: o.onRecover,
    recognize: o.recognize ?? parseSessionNotFound,
    logger: o.logger,
  };
}
