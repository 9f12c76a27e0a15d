import { v4 as uuidv4 } from 'uuid';
import { SessionError } from './errors.js';

/** The longest session ID accepted, in characters. */
export const MAX_SESSION_ID_LENGTH = 256;

/**
 * True when `id` is a well-formed session ID: 1 to {@link MAX_SESSION_ID_LENGTH} characters, each
 * visible ASCII (0x21–0x7E), as the MCP spec requires. Never throws.
 */
export function isValidSessionId(id: unknown): id is string {
  if (typeof id !== 'string') return false;
  const length = id.length;
  if (length === 0 || length > MAX_SESSION_ID_LENGTH) return false;
  for (let i = 0; i < length; i++) {
    const c = id.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/**
 * Throws `SessionError('INVALID_SESSION_ID')` unless `id` is well formed (see
 * {@link isValidSessionId}); the message says which rule failed.
 */
export function assertValidSessionId(id: unknown): asserts id is string {
  if (isValidSessionId(id)) return;
  let why: string;
  if (typeof id !== 'string') why = `expected a string, got ${typeof id}`;
  else if (id.length === 0) why = 'it is empty';
  else if (id.length > MAX_SESSION_ID_LENGTH)
    why = `it is ${id.length} characters long; at most ${MAX_SESSION_ID_LENGTH} are accepted`;
  else why = 'it contains a character outside visible ASCII (0x21–0x7E)';
  throw new SessionError('INVALID_SESSION_ID', `Invalid session ID: ${why}.`);
}

const charCodes: number[] = [];

/**
 * Copies a string into one flat buffer. Generated UUIDs are built by concatenation, and a
 * concatenated string keeps every piece alive: ~480 bytes instead of ~56 for a 36-character ID,
 * for as long as the session lives.
 */
function flatten(text: string): string {
  const length = text.length;
  charCodes.length = length;
  for (let i = 0; i < length; i++) charCodes[i] = text.charCodeAt(i);
  return String.fromCharCode.apply(null, charCodes);
}

/** The default ID generator: a random (crypto-secure) UUID v4, stored compactly. */
export function generateSessionId(): string {
  return flatten(uuidv4());
}
