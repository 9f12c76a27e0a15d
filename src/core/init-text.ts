/**
 * The stored `initialize` request: kept as JSON text (one string per session, parsed only when a
 * session is restored), capped by the manager's `maxInitBytes`. Internal.
 *
 * @module
 */
import { SessionError } from './errors.js';

/** The default `maxInitBytes`: a real `initialize` is 0.5–2 KB; 8 times that is room to spare. */
export const DEFAULT_MAX_INIT_BYTES = 16 * 1024;

/** The smallest `maxInitBytes` accepted. */
export const MIN_MAX_INIT_BYTES = 256;

/** The largest `maxInitBytes` accepted (1 MiB). */
export const MAX_MAX_INIT_BYTES = 1024 * 1024;

/** The length of `text` encoded as UTF-8, in bytes, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
      continue;
    }
    bytes += 2; // 3 bytes for one unit; a surrogate pair is 4 bytes for two units
    const next = text.charCodeAt(i + 1);
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
  }
  return bytes;
}

/**
 * The JSON text of `init` to store, or `undefined` without one.
 *
 * @throws SessionError `INVALID_ARGUMENT` when `init` is not serializable as JSON or its text is
 *   longer than `maxBytes` bytes as UTF-8 (the message names both sizes and `maxInitBytes`).
 */
export function initTextOf(init: unknown, maxBytes: number): string | undefined {
  if (init === undefined) return undefined;
  let text: string | undefined;
  try {
    text = JSON.stringify(init);
  } catch (error) {
    throw new SessionError('INVALID_ARGUMENT', 'Invalid `init`: not serializable as JSON.', {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new SessionError('INVALID_ARGUMENT', 'Invalid `init`: a value JSON cannot represent.');
  }
  const bytes = text.length > maxBytes / 3 ? utf8Length(text) : text.length;
  if (bytes > maxBytes) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `The initialize request is ${bytes} bytes as JSON; at most ${maxBytes} are kept per session (option \`maxInitBytes\`).`,
    );
  }
  return text;
}
