import type { IncomingMessage } from 'node:http';
import type { HttpAnswer } from '../../protocol.js';
import { parseError, payloadTooLarge, unsupportedMediaType } from './answers.js';

/** A request body parsed as JSON, or the answer that refuses it (415, 413 or 400). */
export type JsonBody = { readonly value: unknown } | { readonly answer: HttpAnswer };

/** A body read as text, or too large to read. */
type RawBody = { readonly text: string } | { readonly tooLarge: true };

/** True when a `content-type` header names JSON (`application/json`, parameters allowed). */
export function isJsonContentType(header: string | null | undefined): boolean {
  if (header === undefined || header === null) return false;
  const end = header.indexOf(';');
  const type = (end < 0 ? header : header.slice(0, end)).trim().toLowerCase();
  return type === 'application/json';
}

/**
 * Reads a node:http `POST` body as JSON, checking, in order and before anything else happens to
 * the request: the content type (415), the size against `maxBytes` (413, reading stops once the
 * limit is passed) and the JSON syntax (400 `-32700`). A stream that fails answers 400 too.
 * Never rejects.
 */
export function readNodeJson(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  return readJson(
    req.headers['content-type'],
    maxBytes,
    () => readNodeText(req, maxBytes),
    () => req.resume(),
  );
}

/** {@link readNodeJson} for a Web `Request`. Never rejects. */
export function readWebJson(request: Request, maxBytes: number): Promise<JsonBody> {
  return readJson(
    request.headers.get('content-type'),
    maxBytes,
    () => readWebText(request, maxBytes),
    () => request.body?.cancel().catch(() => undefined),
  );
}

async function readJson(
  contentType: string | null | undefined,
  maxBytes: number,
  readText: () => Promise<RawBody>,
  discard: () => unknown,
): Promise<JsonBody> {
  if (!isJsonContentType(contentType)) {
    await discard();
    return { answer: unsupportedMediaType() };
  }
  let raw: RawBody;
  try {
    raw = await readText();
  } catch {
    return { answer: parseError() };
  }
  if ('tooLarge' in raw) return { answer: payloadTooLarge(maxBytes) };
  try {
    return { value: JSON.parse(raw.text) };
  } catch {
    return { answer: parseError() };
  }
}

/**
 * The JSON body of a `POST`: `supplied` when a framework already parsed it (checked to be
 * declared as JSON, else 415), else `read()`.
 */
export function postBody(
  contentType: string | null | undefined,
  supplied: unknown,
  read: () => Promise<JsonBody>,
): Promise<JsonBody> {
  if (supplied === undefined) return read();
  if (isJsonContentType(contentType)) return Promise.resolve({ value: supplied });
  return Promise.resolve({ answer: unsupportedMediaType() });
}

/**
 * Reads a node:http request body as UTF-8 text, up to `maxBytes`. A declared `Content-Length`
 * over the limit is refused without reading; otherwise reading stops once the limit is passed.
 */
function readNodeText(req: IncomingMessage, maxBytes: number): Promise<RawBody> {
  if (Number(req.headers['content-length']) > maxBytes) {
    req.resume();
    return Promise.resolve({ tooLarge: true });
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        req.resume();
        resolve({ tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve({
        text:
          chunks.length === 1
            ? chunks[0]!.toString('utf8')
            : Buffer.concat(chunks).toString('utf8'),
      });
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** {@link readNodeText} for a Web `Request`. */
async function readWebText(request: Request, maxBytes: number): Promise<RawBody> {
  if (Number(request.headers.get('content-length')) > maxBytes) {
    await request.body?.cancel().catch(() => undefined);
    return { tooLarge: true };
  }
  const body = request.body;
  if (body === null) return { text: '' };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return { tooLarge: true };
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return { text: text + decoder.decode() };
}
