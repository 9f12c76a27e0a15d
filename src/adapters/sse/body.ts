import type { IncomingMessage } from 'node:http';
import { type NodeBody, readNodeBody } from '../node/web-bridge.js';

/** Why a request body could not be read as JSON. */
export type BodyFailure = 'unsupported-type' | 'too-large' | 'unreadable' | 'invalid-json';

/** A parsed JSON body, or why there is none. */
export type BodyResult = { ok: true; value: unknown } | { ok: false; failure: BodyFailure };

/** True when the `content-type` header names JSON (`application/json`, parameters allowed). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const end = header.indexOf(';');
  const type = (end < 0 ? header : header.slice(0, end)).trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Reads and parses a JSON request body of at most `maxBytes` bytes (UTF-8). Stops reading as
 * soon as the limit is passed; never rejects.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if (!isJsonContentType(req.headers['content-type']))
    return { ok: false, failure: 'unsupported-type' };
  let read: NodeBody;
  try {
    read = await readNodeBody(req, maxBytes);
  } catch {
    return { ok: false, failure: 'unreadable' };
  }
  if ('tooLarge' in read) return { ok: false, failure: 'too-large' };
  try {
    return { ok: true, value: JSON.parse(read.text) };
  } catch {
    return { ok: false, failure: 'invalid-json' };
  }
}
