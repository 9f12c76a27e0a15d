import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body of a node:http request, read as text, or why it could not be. */
export type NodeBody = { readonly text: string } | { readonly tooLarge: true };

/**
 * Builds a Web `Request` carrying the method, URL and headers of a node:http request, without
 * its body (the caller reads the body with {@link readNodeBody} and hands it on already parsed).
 *
 * @throws TypeError when the `Host` header or the URL cannot form a valid URL.
 */
export function toWebRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 0x3a) headers.append(name, raw[i + 1]!);
  }
  const scheme = (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
  const url = `${scheme}://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  return new Request(url, { method: req.method ?? 'GET', headers });
}

/**
 * Reads a node:http request body as UTF-8 text, up to `maxBytes`. A declared `Content-Length`
 * over the limit is refused without reading; otherwise reading stops once the limit is passed.
 * Rejects when the stream fails.
 */
export function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<NodeBody> {
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

const NOT_YET: unique symbol = Symbol('not yet');
type Read = ReadableStreamReadResult<Uint8Array>;

/** Settles with `NOT_YET` after pending I/O callbacks have run, unless `read` settles first. */
function soon(read: Promise<Read>): Promise<Read | typeof NOT_YET> {
  return Promise.race([
    read,
    new Promise<typeof NOT_YET>((resolve) => setImmediate(resolve, NOT_YET)),
  ]);
}

/** Settles with `NOT_YET` unless `read` has already settled. */
function now(read: Promise<Read>): Promise<Read | typeof NOT_YET> {
  return Promise.race([read, Promise.resolve(NOT_YET)]);
}

/**
 * Writes a Web `Response` to a node:http `ServerResponse`. A body that is complete almost at once
 * (a JSON answer, a streamed answer whose result is ready) goes out in one write with
 * `Content-Length`; any other body is streamed, headers first. When the client goes away first,
 * the body is cancelled. Resolves once the response is finished or the connection closed;
 * never rejects.
 */
export async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  if (res.headersSent) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const headers: Record<string, string | string[] | number> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (headers['set-cookie'] !== undefined) headers['set-cookie'] = response.headers.getSetCookie();
  const body = response.body;
  if (body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const reader = body.getReader();
  const onClose = () => {
    reader.cancel().catch(() => undefined);
  };
  res.once('close', onClose);
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let pending: Promise<Read> | undefined = reader.read();
    for (let wait = soon; pending !== undefined; wait = now) {
      const result = await wait(pending);
      if (result === NOT_YET) break;
      if (result.done) {
        pending = undefined;
      } else {
        chunks.push(result.value);
        size += result.value.byteLength;
        pending = reader.read();
      }
    }
    if (pending === undefined) {
      if (headers['content-length'] === undefined) headers['content-length'] = size;
      res.writeHead(response.status, headers);
      res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      return;
    }
    res.writeHead(response.status, headers);
    if (chunks.length === 0) res.flushHeaders();
    for (const chunk of chunks) res.write(chunk);
    for (;;) {
      const { done, value } = await pending;
      if (done) break;
      if (!res.write(value)) await drained(res);
      pending = reader.read();
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}

function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
