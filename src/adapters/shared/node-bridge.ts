import type { IncomingMessage, ServerResponse } from 'node:http';
import { SessionError } from '../../core/errors.js';
import type { HttpAnswer } from '../../protocol.js';
import type { AuthInfo } from './auth-info.js';
import type { StreamWatch } from './stream-watch.js';

/**
 * A node:http request, as Express and the SDK's auth middleware leave it: `req.auth` (the
 * authenticated principal), `req.body` (a body parser's result), `req.baseUrl` (the Express
 * mount point) and `req.ip` (the client's address, see {@link clientAddressOf}) are read when
 * present.
 */
export type NodeRequest = IncomingMessage & {
  auth?: AuthInfo | undefined;
  body?: unknown;
  baseUrl?: string | undefined;
  ip?: string | undefined;
};

/**
 * The client address of a node:http request, counted by `creationRate.perAddress`: `req.ip` when
 * it is a non-empty string, else the socket's `remoteAddress`; `undefined` when neither is known
 * (the socket is gone). `req.ip` is Express's, which follows its `trust proxy` setting: off by
 * default, so it is the socket's address and `X-Forwarded-For` is ignored. Behind a reverse proxy
 * the socket's address is the proxy's: configure Express's `trust proxy` for it, or set `req.ip`
 * before the handler is called. Never throws.
 */
export function clientAddressOf(req: NodeRequest): string | undefined {
  const ip: unknown = req.ip;
  return typeof ip === 'string' && ip.length > 0 ? ip : req.socket?.remoteAddress;
}

/**
 * The node:http front door of a handler, usable as Express middleware. A function as third
 * argument is Express's `next`; anything else is the already parsed body (else `req.body` is
 * used, else the body is read). Never rejects.
 */
export type NodeDoor = (
  req: NodeRequest,
  res: ServerResponse,
  nextOrParsedBody?: unknown,
) => Promise<void>;

/** A registered name, an IPv4 address or a bracketed IPv6 address, with an optional port. */
const HOST =
  /^(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

/**
 * The absolute URL of a node:http request, from its `Host` header (`localhost` when absent, as
 * HTTP/1.0 allows) and its origin-form target.
 *
 * @throws SessionError `INVALID_ARGUMENT` (answered 400) when the `Host` header is not a valid
 *   host or the target is not a path.
 */
function requestUrl(req: IncomingMessage): string {
  const host = req.headers.host ?? 'localhost';
  const target = req.url ?? '/';
  if (!HOST.test(host) || target.charCodeAt(0) !== 0x2f) throw badUrl();
  const scheme = (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? 'https' : 'http';
  return `${scheme}://${host}${target}`;
}

/**
 * Checks that the `Host` header and the target of a node:http request form a URL, without
 * building anything; what every door checks before the store.
 *
 * @throws SessionError `INVALID_ARGUMENT` (answered 400) when they do not.
 */
export function checkRequestUrl(req: IncomingMessage): void {
  if (!URL.canParse(requestUrl(req))) throw badUrl();
}

/**
 * The absolute URL of a node:http request, parsed: from its `Host` header (`localhost` when
 * absent, as HTTP/1.0 allows) and its origin-form target.
 *
 * @throws SessionError `INVALID_ARGUMENT` (answered 400) when the URL cannot be formed.
 */
export function parsedRequestUrl(req: IncomingMessage): URL {
  const url = requestUrl(req);
  try {
    return new URL(url);
  } catch {
    throw badUrl();
  }
}

/**
 * The requests {@link toWebRequest} builds: `Request.prototype` underneath, so `instanceof
 * Request` holds, and every member but `method`, `url` and `headers` (own fields) forwards to a
 * real `Request` made on first use. Reading only those three, as the SDK's transport and our
 * handlers do, skips the `AbortSignal` and the checks each undici `Request` costs (measured: about
 * a tenth of a tool call's server CPU).
 */
const REAL: unique symbol = Symbol('real request');

class LightRequest {
  #real: Request | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Headers,
  ) {}

  /** The real `Request` behind this one, made once. */
  [REAL](): Request {
    this.#real ??= new Request(this.url, { method: this.method, headers: this.headers });
    return this.#real;
  }
}

Object.setPrototypeOf(LightRequest.prototype, Request.prototype);
for (const name of Object.getOwnPropertyNames(Request.prototype)) {
  if (name === 'constructor' || name === 'method' || name === 'url' || name === 'headers') continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, name)!;
  const { value, get } = descriptor;
  if (typeof value === 'function') {
    Object.defineProperty(LightRequest.prototype, name, {
      value(this: LightRequest, ...args: unknown[]) {
        return (value as (...a: unknown[]) => unknown).apply(this[REAL](), args);
      },
    });
  } else if (get !== undefined) {
    Object.defineProperty(LightRequest.prototype, name, {
      get(this: LightRequest) {
        return get.call(this[REAL]());
      },
    });
  }
}

/**
 * Builds a Web `Request` carrying the method, URL and headers of a node:http request, without
 * its body (the caller reads the body first and hands it on already parsed). The result is a
 * light request: a real `Request` is made only when a member other than `method`, `url` and
 * `headers` is read.
 *
 * @throws SessionError `INVALID_ARGUMENT` (answered 400) when the URL cannot be formed.
 */
export function toWebRequest(req: IncomingMessage): Request {
  const url = requestUrl(req);
  if (!URL.canParse(url)) throw badUrl();
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 0x3a) headers.append(name, raw[i + 1]!);
  }
  return new LightRequest(req.method ?? 'GET', url, headers) as unknown as Request;
}

/** The error of a request whose URL cannot be formed; answered 400. */
function badUrl(): SessionError {
  return new SessionError(
    'INVALID_ARGUMENT',
    'Bad Request: the Host header and the request target do not form a valid URL.',
  );
}

/** Writes an answer to a node:http response, unless its headers already went out. */
export function writeNodeAnswer(res: ServerResponse, answer: HttpAnswer): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, { ...answer.headers });
  res.end(answer.body);
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
 *
 * @param maxBufferedBytes the most bytes a streamed body may leave unsent
 *   (`res.writableLength`) for a client that does not read fast enough: a write past it cancels
 *   the body and ends the response (the connection is destroyed). `Infinity` (the default):
 *   unbounded here, each write waits for `drain` instead, so what is unsent piles up in the body
 *   stream.
 * @param watch where a streamed body is watched while it is written (TCP keep-alive on its
 *   socket, write stalls, and its duration when `timed`). @default none
 * @param timed whether a streamed body is ended once open `maxStreamDurationMs` (its body is
 *   cancelled, the response ended). @default false
 */
export async function writeWebResponse(
  res: ServerResponse,
  response: Response,
  maxBufferedBytes = Number.POSITIVE_INFINITY,
  watch?: StreamWatch,
  timed = false,
): Promise<void> {
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
  let unwatch: (() => void) | undefined;
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
    unwatch = watch?.open(res, timed ? onClose : undefined);
    for (const chunk of chunks) res.write(chunk);
    const bounded = maxBufferedBytes !== Number.POSITIVE_INFINITY;
    for (;;) {
      if (bounded && res.writableLength > maxBufferedBytes) {
        await reader.cancel().catch(() => undefined);
        res.destroy();
        return;
      }
      const { done, value } = await pending;
      if (done) break;
      if (!res.write(value) && !bounded) await drained(res);
      pending = reader.read();
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off('close', onClose);
    unwatch?.();
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
