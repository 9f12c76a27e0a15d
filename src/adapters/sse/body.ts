import type { IncomingMessage } from 'node:http';

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
export function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  if (!isJsonContentType(req.headers['content-type'])) {
    return Promise.resolve({ ok: false, failure: 'unsupported-type' });
  }
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.resolve({ ok: false, failure: 'too-large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyResult) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        finish({ ok: false, failure: 'too-large' });
        req.resume();
      } else chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        finish({ ok: true, value: JSON.parse(Buffer.concat(chunks, size).toString('utf8')) });
      } catch {
        finish({ ok: false, failure: 'invalid-json' });
      }
    };
    const onError = () => finish({ ok: false, failure: 'unreadable' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
