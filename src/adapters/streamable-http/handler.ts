import type { NodeDoor } from '../shared/node-bridge.js';
import type { WebRequestOptions } from '../shared/options.js';
import { StreamWatch } from '../shared/stream-watch.js';
import { streamableDoors } from './doors.js';
import { resolveHandlerOptions, type StreamableHttpHandlerOptions } from './options.js';
import type { StreamableSdk } from './sdk.js';
import { SessionEndpoint } from './session-endpoint.js';

/**
 * A complete Streamable HTTP endpoint with sessions: routes `POST`, `GET` and `DELETE` to one
 * SDK transport and one server per session, built on demand by `createServer`.
 *
 * - Client mistakes are answered before any session is touched: a method other than `GET`,
 *   `POST` and `DELETE` 405 with `Allow`; a `Host` that forms no URL 400; a `Host` or `Origin`
 *   that DNS rebinding protection refuses 403; a `POST` body that is not JSON 415, 413 or 400.
 * - `initialize` without a session header creates a session (owner, kind `streamable-http`, the
 *   request kept for restore), then its transport and server, unless its `Accept` lacks
 *   `application/json` or `text/event-stream` (406); capacity or a store outage answers 503
 *   with `Retry-After`, an owner at `maxSessionsPerOwner` or an owner or client address past
 *   `creationRate` 429 with `Retry-After`, before any transport exists. The client address is
 *   `req.ip` or the socket's on the node door, `options.clientAddress` on the fetch door.
 * - Every request naming a session acquires it (touch + pin) until its answer has been sent or
 *   its stream closed; ended sessions answer 404 `SESSION_EXPIRED`, unknown or foreign ones 404
 *   `SESSION_NOT_FOUND`, malformed IDs 400, requests without a header other than `initialize` 400.
 * - A live session without a transport here (made by another replica sharing the store) is
 *   restored by replaying its stored `initialize` request, with this request's `Host` and
 *   `Origin`; when the SDK transport refuses the replay with a 4xx (DNS rebinding protection in
 *   `transportOptions`), the request is answered that 4xx and the session released.
 * - When a session ends for any reason, its transport and server are closed.
 * - With a `relay`, a server request's answer reaches the replica that asked, a message outside
 *   a request the replica holding the `GET` stream, and an end every replica. With a shared
 *   store, transports idle here for `localIdleMs` are let go (see `trim()`).
 * - On the node door, what an event stream holds unsent for a client that does not read is
 *   bounded by `maxBufferedBytes`: past it the stream ends and its pin is released; the session
 *   stays.
 * - On the node door, event streams are bounded in time: a `GET` stream open longer than
 *   `maxStreamDurationMs` is ended (the SDK client reopens it), a stream whose client has read
 *   nothing for `writeStallTimeoutMs` while bytes wait is dropped, and TCP keep-alive
 *   (`tcpKeepAliveMs`) is set on its socket; each releases the pin, the session stays.
 *
 * Use {@link StreamableHttpHandler.node} with node:http or Express, and
 * {@link StreamableHttpHandler.fetch} with fetch-style servers (Hono, Bun, Deno).
 *
 * @example
 * ```ts
 * const mcp = new StreamableHttpHandler({ sessions, createServer: () => buildServer() });
 * app.all('/mcp', express.json(), mcp.node);
 * ```
 */
export class StreamableHttpHandlerBase {
  readonly #endpoint: SessionEndpoint;

  /**
   * @param sdk the SDK the transports are built with (each entry binds its own).
   * @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted.
   */
  constructor(options: StreamableHttpHandlerOptions, sdk: StreamableSdk) {
    const o = resolveHandlerOptions(options);
    const endpoint = new SessionEndpoint(o, sdk);
    this.#endpoint = endpoint;
    const doors = streamableDoors(
      {
        failure: { ...o, transport: 'Streamable HTTP' },
        maxRequestBodySize: o.maxRequestBodySize,
        maxBufferedBytes: o.maxBufferedBytes,
        watch: new StreamWatch(o.sessions.clock, o),
      },
      (request, body, authInfo, address) => endpoint.serve(request, body, authInfo, address),
    );
    this.node = doors.node;
    this.fetch = doors.fetch;
  }

  /** How many sessions have a transport open in this process. */
  get size(): number {
    return this.#endpoint.size;
  }

  /**
   * node:http front door, usable as Express middleware (`app.all('/mcp', mcp.node)`). A function
   * as third argument is taken as `next`, called with unexpected errors (the handler serves every
   * path it is mounted on); any other third argument is the already parsed body; else `req.body`
   * (set by `express.json()`) is used, else the body is read. A `POST` is refused (415, 413, 400)
   * before any session is touched when it is not JSON, too large or not parsable. `req.auth` is
   * the `authInfo`. A `Host` that forms no URL answers 400; without `next`, unexpected failures
   * answer 500 (logged). A client that goes away at any point, even while its session is being
   * acquired or restored, has its answer cancelled and its session released. Never rejects.
   */
  readonly node: NodeDoor;

  /**
   * Web front door: `Request -> Response` for fetch-style servers. A `POST` is refused (415,
   * 413, 400) before any session is touched when it is not JSON, too large or not parsable.
   * Never rejects: unexpected failures answer 500 and are logged.
   */
  readonly fetch: (request: Request, options?: WebRequestOptions) => Promise<Response>;

  /**
   * Closes every transport and server this handler holds, without ending their sessions (with
   * a shared store another replica restores them). Later requests answer 503. To end the
   * sessions as well, close the manager. Idempotent.
   */
  close(): Promise<void> {
    return this.#endpoint.close();
  }

  /**
   * Lets go, now, of the transports and servers of sessions with no request or stream in flight
   * here for `localIdleMs` or more (on the manager's clock), without ending the sessions; what
   * the periodic check does. Answers how many were let go; `0` with a store that is not shared
   * or `localIdleMs: 0`. Never rejects.
   */
  trim(): Promise<number> {
    return this.#endpoint.trim();
  }
}
