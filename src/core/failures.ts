/**
 * The one failure reporter: what the manager and the resource pool do with a failure they
 * contain (a hook, a closer, a listener, a background sweep) so that no request path throws.
 * Internal.
 *
 * @module
 */
import { type Logger, maskSessionId } from './logger.js';

/** What every contained failure carries. */
export interface ContainedFailure {
  readonly phase: string;
  readonly error: unknown;
  readonly sessionId?: string | undefined;
  readonly key?: string | undefined;
}

/** The part of an event registry a reporter needs: its `error` event. */
export interface FailureChannel<F> {
  emit(event: 'error', failure: F): unknown[] | undefined;
  has(event: 'error'): boolean;
}

/**
 * Emits `failure` as an `error` event, then logs it: to `logger.error` when the logger has one,
 * else to `console.error` when nobody listens or a listener threw (with the listeners' errors).
 * The session ID is masked in what is logged. Never throws.
 *
 * @param message the log line, e.g. `'mcp-sessions: contained failure'`.
 */
export function reportFailure<F extends ContainedFailure>(
  channel: FailureChannel<F>,
  logger: Logger | undefined,
  message: string,
  failure: F,
): void {
  const errors = channel.emit('error', failure);
  if (logger?.error !== undefined || !channel.has('error') || errors !== undefined) {
    logFailure(logger, message, failure, errors);
  }
}

/**
 * Logs `failure` without emitting it: to `logger.error` when the logger has one, else to
 * `console.error` (followed by `extra`, e.g. errors thrown by `error` listeners). For a failure
 * of an `error` listener itself, which must not be emitted again. The session ID is masked.
 * Never throws.
 */
export function logFailure(
  logger: Logger | undefined,
  message: string,
  failure: ContainedFailure,
  extra: readonly unknown[] = [],
): void {
  const session = failure.sessionId === undefined ? undefined : maskSessionId(failure.sessionId);
  const details =
    'key' in failure
      ? { phase: failure.phase, session, key: failure.key, error: failure.error }
      : { phase: failure.phase, session, error: failure.error };
  try {
    if (logger?.error !== undefined) logger.error(message, details);
    else console.error(message, details, ...extra);
  } catch {
    // A logger that throws has nowhere left to report to.
  }
}
