/**
 * Checks of the session manager's method arguments (options are checked once, in
 * `options.ts`). Each throws a `SessionError` whose message names the argument and what is
 * accepted. Internal.
 *
 * @module
 */
import { SessionError } from './errors.js';
import type { EndHook } from './manager-types.js';
import { isValidSessionId } from './session-id.js';
import { END_REASONS, type EndReason } from './types.js';

/** The largest `data` or `init` accepted, as JSON text. */
const MAX_JSON_CHARS = 64 * 1024;
/** The longest `owner` or `kind` accepted. */
const MAX_LABEL_CHARS = 1024;

/** `undefined`, or a string of 1 to 1024 characters. @throws SessionError `INVALID_ARGUMENT` */
export function checkLabel(field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LABEL_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`${field}\`: expected a string of 1 to ${MAX_LABEL_CHARS} characters.`,
    );
  }
}

/** `undefined`, or a JSON value of at most 64 KiB as text. @throws SessionError `INVALID_ARGUMENT` */
export function checkJson(field: string, value: unknown): void {
  if (value === undefined) return;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', `Invalid \`${field}\`: not serializable as JSON.`, {
      cause: error,
    });
  }
  if (text === undefined || text.length > MAX_JSON_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`${field}\`: expected a JSON value of at most ${MAX_JSON_CHARS} characters as text.`,
    );
  }
}

/** One of {@link END_REASONS}. @throws SessionError `INVALID_ARGUMENT` */
export function checkEndReason(reason: unknown): asserts reason is EndReason {
  if (!END_REASONS.includes(reason as EndReason)) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid end reason ${JSON.stringify(reason)}; expected one of ${END_REASONS.join(', ')}.`,
    );
  }
}

/** A function. @throws SessionError `INVALID_ARGUMENT` */
export function checkHook(hook: unknown): asserts hook is EndHook {
  if (typeof hook !== 'function') {
    throw new SessionError('INVALID_ARGUMENT', 'onEnd expects a function as its hook.');
  }
}

/**
 * An ID made by the `generateId` option: 1–256 visible ASCII characters.
 * @throws SessionError `INVALID_OPTION` (the option is at fault, not the caller)
 */
export function checkGeneratedId(id: string): string {
  if (!isValidSessionId(id)) {
    throw new SessionError(
      'INVALID_OPTION',
      'Invalid option `generateId`: it returned an ID that is not 1–256 visible ASCII characters.',
    );
  }
  return id;
}
