import { SessionError } from '../../core/errors.js';
import { maskSessionId } from '../../core/logger.js';
import type { OwnerCheck, StoreLookup } from '../../core/store.js';
import {
  END_REASONS,
  type EndReason,
  type JsonValue,
  type SessionRecord,
  type Tombstone,
  UNKNOWN,
} from '../../core/types.js';

/** Script status codes (first entry of a reply array). */
export const UNKNOWN_CODE = 0;
export const ACTIVE_CODE = 1;
export const EXPIRED_CODE = 2;
export const ENDED_CODE = 3;
export const CONFLICT_CODE = 4;

/** Negative integer replies of the scripts, by code. */
const SCRIPT_ERRORS: Readonly<Record<number, string>> = {
  [-1]: 'a session or tombstone record is unreadable',
};

/** A fresh `STORE_CORRUPT` error about the entry of `id`. */
export function corrupt(id: string, detail: string, cause?: unknown): SessionError {
  return new SessionError(
    'STORE_CORRUPT',
    `Redis holds unreadable data for session ${maskSessionId(id)}: ${detail}.`,
    cause === undefined ? undefined : { cause },
  );
}

/** The reply as an array, or the typed error its negative code (or shape) stands for. */
export function replyArray(reply: unknown, id: string): unknown[] {
  if (Array.isArray(reply)) return reply;
  if (typeof reply === 'number' && reply < 0) {
    throw corrupt(id, SCRIPT_ERRORS[reply] ?? `script answered ${reply}`);
  }
  throw corrupt(id, `unexpected reply ${typeof reply}`);
}

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'string' ? value : String(value);
}

function time(value: unknown, id: string, field: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (value === null || value === undefined || !Number.isFinite(n)) {
    throw corrupt(id, `${field} is not a number`);
  }
  return n;
}

function json(value: unknown, id: string, field: string, strict: boolean): JsonValue | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as JsonValue;
  } catch (error) {
    if (!strict) return undefined;
    throw corrupt(id, `${field} is not JSON`, error);
  }
}

/**
 * A record's version: a record written before versions existed has none and is version 1. With
 * `strict` off, an unreadable one also comes back 1.
 */
function version(value: unknown, id: string, strict: boolean): number {
  if (value === null || value === undefined) return 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isSafeInteger(n) && n >= 1) return n;
  if (!strict) return 1;
  throw corrupt(id, 'version is not a positive integer');
}

/**
 * Decodes the six record fields `c, l, o, k, d, i` at `reply[at..]` and the version `v` at
 * `reply[versionAt]` (every script appends it after what its reply held before); `init` is kept
 * as the JSON text it is stored as. With `strict`
 * off (a session already ended in Redis), unreadable `data` / `v` come back as
 * `undefined` / 1 rather than throwing, so one bad record cannot hide the others of a batch.
 */
export function decodeRecord(
  id: string,
  reply: readonly unknown[],
  at: number,
  versionAt: number,
  strict = true,
): SessionRecord {
  return {
    id,
    owner: text(reply[at + 2]),
    kind: text(reply[at + 3]),
    data: json(reply[at + 4], id, 'data', strict),
    init: text(reply[at + 5]),
    createdAt: time(reply[at], id, 'createdAt'),
    lastSeenAt: time(reply[at + 1], id, 'lastSeenAt'),
    version: version(reply[versionAt], id, strict),
  };
}

/** Decodes `{3, reason, endedAt, owner}`. */
export function decodeTombstone(id: string, reply: readonly unknown[]): Tombstone {
  const reason = text(reply[1]);
  if (reason === undefined || !END_REASONS.includes(reason as EndReason)) {
    throw corrupt(id, 'tombstone reason is not an end reason');
  }
  return {
    id,
    owner: text(reply[3]),
    reason: reason as EndReason,
    endedAt: time(reply[2], id, 'endedAt'),
  };
}

/** Decodes an expiry reason. */
export function decodeExpiryReason(id: string, value: unknown): 'idle' | 'lifetime' {
  if (value === 'idle' || value === 'lifetime') return value;
  throw corrupt(id, 'expiry reason');
}

/** The owner check as the get and touch scripts take it (see `lua/includes/owner.lua`). */
export function ownerArg(owner: OwnerCheck): string {
  if (owner === undefined) return '';
  return owner === null ? '-' : `=${owner}`;
}

/** Decodes a get/touch reply (or the lookup part of an update reply). */
export function lookupOf(id: string, raw: unknown): StoreLookup {
  const reply = replyArray(raw, id);
  switch (reply[0]) {
    case ACTIVE_CODE:
      return { status: 'active', session: decodeRecord(id, reply, 1, 7) };
    case EXPIRED_CODE:
      return {
        status: 'expired',
        session: decodeRecord(id, reply, 1, 8),
        reason: decodeExpiryReason(id, reply[7]),
      };
    case ENDED_CODE:
      return { status: 'ended', tombstone: decodeTombstone(id, reply) };
    case UNKNOWN_CODE:
      return UNKNOWN;
    default:
      throw corrupt(id, `lookup answered ${String(reply[0])}`);
  }
}
