/**
 * Handle IDs: a kind's prefix, an underscore, then base64url of random bytes from `node:crypto`
 * (`bsk_` + 22 characters for the default 16 bytes, 128 bits). Internal.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';

/** A prefix: a lowercase letter, then up to 15 lowercase letters or digits. */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

/** The fewest random bytes in a handle (128 bits). */
export const MIN_ID_BYTES = 16;
/** The most random bytes in a handle. */
export const MAX_ID_BYTES = 64;

/** How many base64url characters (unpadded) `bytes` random bytes make. */
export function bodyLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

/** A new handle of `prefix` with `bytes` random bytes. */
export function generateHandle(prefix: string, bytes: number): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** What a value passed as a handle of `prefix` is. */
export type HandleShape = 'handle' | 'other-kind' | 'malformed';

const BODY = /^[A-Za-z0-9_-]+$/;

/**
 * Sorts a value given as a handle: one of this kind (`prefix`, then `length` base64url
 * characters), a handle of another kind (another prefix of the same form, any body length of at
 * least 16 characters), or anything else. Never throws.
 */
export function shapeOf(value: unknown, prefix: string, length: number): HandleShape {
  if (typeof value !== 'string' || value.length > 256) return 'malformed';
  const cut = value.indexOf('_');
  if (cut < 0) return 'malformed';
  const head = value.slice(0, cut);
  const body = value.slice(cut + 1);
  if (!PREFIX_PATTERN.test(head) || !BODY.test(body)) return 'malformed';
  if (head === prefix) return body.length === length ? 'handle' : 'malformed';
  return body.length >= 16 ? 'other-kind' : 'malformed';
}
