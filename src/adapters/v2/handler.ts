import {
  createMcpHandler,
  isLegacyRequest,
  type McpHttpHandler,
  ProtocolError,
  type ServerEventBus,
  type ServerNotifier,
} from '@modelcontextprotocol/server';
import type { Logger } from '../../core/logger.js';
import { type JsonRpcId, requestIdOf } from '../../protocol.js';
import { methodNotAllowed, shuttingDown } from '../shared/answers.js';
import type { AuthInfo } from '../shared/auth-info.js';
import { refusedByGuard } from '../shared/guard.js';
import type { NodeDoor } from '../shared/node-bridge.js';
import type { WebRequestOptions } from '../shared/options.js';
import {
  PROTOCOL_VERSION_HEADER,
  unsupportedProtocolVersion,
  unsupportedVersionOf,
} from '../shared/protocol-version.js';
import type { ServerFactory } from '../shared/server.js';
import { StreamWatch } from '../shared/stream-watch.js';
import { type Served, streamableDoors } from '../streamable-http/doors.js';
import {
  type ResolvedStreamableHttpOptions,
  resolveHandlerOptions,
  STREAMABLE_HTTP_METHODS,
  streamableHandlerSchema,
} from '../streamable-http/options.js';
import { SessionEndpoint } from '../streamable-http/session-endpoint.js';
import { V2_HANDLER_FIELDS, type V2HandlerOptions } from './options.js';
import { SDK_V2 } from './sdk-v2.js';

const V2_HANDLER = streamableHandlerSchema(V2_HANDLER_FIELDS);

/**
 * What `createMcpHandler` reports: requests it refused (the client's mistake, already answered
 * 4xx) are not logged; anything else (a factory or handler that threw, answered 500) is logged
 * as an error, as the legacy era's failures are.
 */
function reportModernError(logger: Logger, error: Error): void {
  if (error instanceof ProtocolError || error.message.startsWith('Rejected ')) return;
  logger.error?.('mcp-sessions: Streamable HTTP request failed', { error });
}

/** The first protocol version of the modern era, answered as requested when none is claimed. */
const MODERN_PROTOCOL_VERSION = '2026-07-28';

/**
 * One Streamable HTTP endpoint serving both protocol eras of SDK v2 on one URL. Each request is
 * routed with SDK v2's own `isLegacyRequest` (given the body the door already parsed; the body is
 * read once):
 *
 * - 2025-era traffic (`initialize`, requests with `Mcp-Session-Id`, `GET` streams, `DELETE`) gets
 *   sessions, exactly as the `mcp-sessions/streamable-http` handler serves SDK v1: one SDK v2
 *   `WebStandardStreamableHTTPServerTransport` and one server per session; idle TTL, pinning,
 *   tombstones (404 `SESSION_EXPIRED` / `SESSION_NOT_FOUND`), owner binding, capacity (503/429
 *   with `Retry-After`), restore on any replica sharing the store, relay, shared event log,
 *   `localIdleMs`, stream bounds.
 * - 2026-07-28 traffic goes to SDK v2's `createMcpHandler` (stateless, one server per request):
 *   it never creates a session and its answers carry no `Mcp-Session-Id`. With `modern: false` it
 *   answers 400 with the spec's unsupported-protocol-version error (`-32022`, `data.supported`:
 *   the 2025-era versions) instead, so negotiating clients fall back to `initialize`.
 *
 * Both eras are refused alike before anything is built: methods other than `GET`, `POST` and
 * `DELETE` 405, a `Host` or `Origin` that DNS rebinding protection refuses 403, a `POST` body that
 * is not JSON 415, 413 or 400, any request after `close()` 503. A server's tool handler sees the
 * Web `Request` as `ctx.http.req` in both eras, on both doors.
 *
 * Its `fetch(request, { authInfo, parsedBody })` has the shape SDK v2's `toNodeHandler` takes, so
 * `toNodeHandler(mcp)` works too; {@link StreamableHttpHandler.node} is the node door of its own
 * (node:http and Express 5) with the stream bounds.
 *
 * @example
 * ```ts
 * import { StreamableHttpHandler } from 'mcp-sessions/v2';
 * const mcp = new StreamableHttpHandler({ sessions, createServer: () => buildServer() });
 * app.all('/mcp', express.json(), mcp.node);
 * ```
 */
export class StreamableHttpHandler {
  readonly #options: ResolvedStreamableHttpOptions;
  readonly #endpoint: SessionEndpoint;
  readonly #modern: McpHttpHandler | undefined;
  #closed = false;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: V2HandlerOptions) {
    const checked = resolveHandlerOptions(options, V2_HANDLER);
    const { createServer, modern, bus, responseMode } = options;
    const legacy: ServerFactory = (session) => createServer({ era: 'legacy', session });
    const o: ResolvedStreamableHttpOptions = { ...checked, createServer: legacy };
    this.#options = o;
    this.#endpoint = new SessionEndpoint(o, SDK_V2);
    if (modern !== false) {
      this.#modern = createMcpHandler(
        ({ authInfo, requestInfo }) =>
          createServer({ era: 'modern', session: undefined, authInfo, requestInfo }),
        {
          legacy: 'reject',
          keepAliveMs: o.keepAliveMs,
          maxRequestBodySize: o.maxRequestBodySize,
          ...(bus === undefined ? {} : { bus }),
          ...(responseMode === undefined ? {} : { responseMode }),
          onerror: (error) => reportModernError(o.logger, error),
        },
      );
    }
    const doors = streamableDoors(
      {
        failure: { ...o, transport: 'Streamable HTTP' },
        maxRequestBodySize: o.maxRequestBodySize,
        maxBufferedBytes: o.maxBufferedBytes,
        watch: new StreamWatch(o.sessions.clock, o),
      },
      (request, body, authInfo, address) => this.#serve(request, body, authInfo, address),
    );
    this.node = doors.node;
    this.fetch = doors.fetch;
  }

  /**
   * node:http front door, usable as Express middleware (`app.all('/mcp', mcp.node)`). A function
   * as third argument is taken as `next`, called with unexpected errors; any other third argument
   * is the already parsed body; else `req.body` (set by `express.json()`) is used, else the body
   * is read. `req.auth` is the `authInfo`. A `Host` that forms no URL answers 400; without `next`,
   * unexpected failures answer 500 (logged). Never rejects.
   */
  readonly node: NodeDoor;

  /**
   * Web front door: `Request -> Response` for fetch-style servers (and SDK v2's
   * `toNodeHandler`). `options.parsedBody` is used as the body when given (the request body is
   * then not read); `options.authInfo` is the principal. Never rejects: unexpected failures
   * answer 500 and are logged.
   */
  readonly fetch: (request: Request, options?: WebRequestOptions) => Promise<Response>;

  /** How many legacy sessions have a transport open in this process (modern requests hold none). */
  get size(): number {
    return this.#endpoint.size;
  }

  /**
   * The modern era's `subscriptions/listen` bus (the `bus` option, or `createMcpHandler`'s
   * in-process one); `undefined` with `modern: false`.
   */
  get bus(): ServerEventBus | undefined {
    return this.#modern?.bus;
  }

  /**
   * Publishes list-changed and resource-updated events to the modern era's open
   * `subscriptions/listen` streams (`createMcpHandler`'s `notify`); `undefined` with
   * `modern: false`. Legacy sessions are notified by their own servers.
   */
  get notify(): ServerNotifier | undefined {
    return this.#modern?.notify;
  }

  /**
   * Closes every legacy transport and server held here, without ending their sessions (with a
   * shared store another replica restores them), and aborts modern exchanges in flight. Later
   * requests answer 503. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#endpoint.close(), this.#modern?.close()]);
  }

  /**
   * Lets go, now, of the legacy transports and servers with no request or stream in flight here
   * for `localIdleMs` or more, without ending their sessions. Answers how many; `0` with a store
   * that is not shared or `localIdleMs: 0`. Never rejects.
   */
  trim(): Promise<number> {
    return this.#endpoint.trim();
  }

  async #serve(
    request: Request,
    body: unknown,
    authInfo: AuthInfo | undefined,
    address: string | undefined,
  ): Promise<Served> {
    const method = request.method;
    if (!STREAMABLE_HTTP_METHODS.includes(method)) {
      return { answer: methodNotAllowed(STREAMABLE_HTTP_METHODS) };
    }
    const post = method === 'POST';
    let legacy: boolean;
    try {
      legacy = await isLegacyRequest(request, post ? body : undefined);
    } catch (error) {
      return { failure: error };
    }
    if (legacy) return this.#endpoint.serve(request, body, authInfo, address);
    const rpcId: JsonRpcId = post ? requestIdOf(body) : null;
    const o = this.#options;
    if (this.#closed) return { answer: shuttingDown(o.retryAfterSeconds, rpcId) };
    const headers = request.headers;
    const refused = refusedByGuard(o.guard, headers.get('host'), headers.get('origin'));
    if (refused !== undefined) return { answer: refused };
    const modern = this.#modern;
    if (modern === undefined) {
      const supported = SDK_V2.supportedVersions;
      const requested =
        unsupportedVersionOf(headers.get(PROTOCOL_VERSION_HEADER), body, supported) ??
        MODERN_PROTOCOL_VERSION;
      return { answer: unsupportedProtocolVersion(requested, supported, rpcId) };
    }
    try {
      const options =
        authInfo === undefined ? { parsedBody: body } : { parsedBody: body, authInfo };
      return { response: await modern.fetch(request, options), finish: undefined };
    } catch (error) {
      return { failure: error };
    }
  }
}
