/**
 * Checks of the session manager's method arguments (options are checked once, in
 * `options.ts`). Each throws a `SessionError` whose message names the argument and what is
 * accepted. Internal.
 *
 * @module
 */
import { errorMessage, SessionError } from './errors.js';
import type { EndHook } from './manager-types.js';
import { isValidSessionId, MAX_SESSION_ID_LENGTH } from './session-id.js';
import { END_REASONS, type EndReason } from './types.js';

/** The largest `data` accepted, as JSON text (`init` has its own cap, `maxInitBytes`). */
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
    const got = text === undefined ? 'a value JSON cannot represent' : `${text.length} characters`;
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`${field}\`: expected a JSON value of at most ${MAX_JSON_CHARS} characters as text, got ${got}.`,
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

/** How many IDs a custom `generateId` is asked for at construction. */
const GENERATOR_PROBES = 8;
/** The shortest ID a custom `generateId` may return. */
const MIN_GENERATED_ID_CHARS = 16;

/**
 * Probes a custom `generateId` once, at construction: {@link GENERATOR_PROBES} calls must
 * answer distinct session IDs of at least {@link MIN_GENERATED_ID_CHARS} characters. This
 * cannot measure entropy; it refuses a fixed, short or broken generator before the first
 * session needs it.
 *
 * @throws SessionError `INVALID_OPTION` naming `generateId`, what it returned and what it needs.
 */
export function probeGenerateId(generateId: () => string): void {
  const need =
    `${GENERATOR_PROBES} calls must return ${GENERATOR_PROBES} distinct session IDs of ` +
    `${MIN_GENERATED_ID_CHARS} to ${MAX_SESSION_ID_LENGTH} visible ASCII characters ` +
    '(unguessable, e.g. crypto.randomUUID())';
  const seen = new Set<string>();
  for (let i = 0; i < GENERATOR_PROBES; i++) {
    let id: unknown;
    try {
      id = generateId();
    } catch (error) {
      throw new SessionError(
        'INVALID_OPTION',
        `Invalid option \`generateId\` threw: ${errorMessage(error)}. ${need}.`,
        { cause: error },
      );
    }
    if (typeof id !== 'string') {
      throw new SessionError(
        'INVALID_OPTION',
        `Invalid option \`generateId\`: ${need}; it returned a ${id === null ? 'null' : typeof id}.`,
      );
    }
    if (!isValidSessionId(id) || id.length < MIN_GENERATED_ID_CHARS) {
      throw new SessionError(
        'INVALID_OPTION',
        `Invalid option \`generateId\`: ${need}; it returned ${JSON.stringify(id.slice(0, 40))}, ` +
          `${id.length} characters.`,
      );
    }
    seen.add(id);
  }
  if (seen.size < GENERATOR_PROBES) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid option \`generateId\`: ${need}; they returned ${seen.size} distinct ` +
        `ID${seen.size === 1 ? '' : 's'}.`,
    );
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
