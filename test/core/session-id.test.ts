import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertValidSessionId,
  generateSessionId,
  isValidSessionId,
  MAX_SESSION_ID_LENGTH,
} from '../../src/index.js';

describe('session IDs', () => {
  it('generates distinct, valid UUID v4 IDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, generateSessionId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isValidSessionId(id)).toBe(true);
  });

  it('accepts exactly 1..256 visible ASCII characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 0, maxLength: 300 }), (id) => {
        const visible = [...id].every((ch) => ch.charCodeAt(0) >= 0x21 && ch.charCodeAt(0) <= 0x7e);
        const expected = id.length >= 1 && id.length <= MAX_SESSION_ID_LENGTH && visible;
        expect(isValidSessionId(id)).toBe(expected);
      }),
    );
    expect(isValidSessionId(undefined)).toBe(false);
    expect(isValidSessionId(42)).toBe(false);
  });

  it('says which rule failed', () => {
    expect(() => assertValidSessionId(5)).toThrow(/expected a string, got number/);
    expect(() => assertValidSessionId('')).toThrow(/it is empty/);
    expect(() => assertValidSessionId('a'.repeat(257))).toThrow(/257 characters long; at most 256/);
    expect(() => assertValidSessionId('a b')).toThrow(/outside visible ASCII/);
    expect(() => assertValidSessionId('ok')).not.toThrow();
  });
});
