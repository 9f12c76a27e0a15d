import type { ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { type HttpAnswer, type JsonRpcId, requestIdOf } from '../../protocol.js';
import {
  invalidMessage,
  methodNotAllowed,
  shuttingDown,
  toWebResponse,
} from '../shared/answers.js';
import { postBody, readNodeJson, readWebJson } from '../shared/body.js';
import { countMistake } from '../shared/client-mistakes.js';
import { doorArgument, type FailureContext, failNode, failureAnswer } from '../shared/failure.js';
import {
  clientAddressOf,
  type NodeDoor,
  parsedRequestUrl,
  writeNodeAnswer,
} from '../shared/node-bridge.js';
import type { WebRequestOptions } from '../shared/options.js';
import { ownerOfNode } from '../shared/owner.js';
import { type LocalSession, LocalSessions } from '../shared/registry.js';
import { StreamWatch } from '../shared/stream-watch.js';
import { SseFleet } from './fleet.js';
import { admitMessage, manageStream, openSession, type StreamCreator } from './gate.js';
import { NodeSseTransport } from './node-transport.js';
import {
  type ResolvedSseHandlerOptions,
  resolveSseHandlerOptions,
  type SseHandlerOptions,
} from './options.js';
import { pathNotFound, streamUnavailable } from './replies.js';
import { boundSends, nodeSink, type StreamSink } from './stream.js';
import { pathOf } from './url.js';
import { WebSseTransport } from './web-transport.js';

/** An SSE transport of either door: on a node:http response, or on a Web stream for `fetch`. */
type SseTransport = NodeSseTransport | WebSseTransport;

/** This process's transport and server of one session. */
interface Entry extends LocalSession {
  readonly transport: SseTransport;
  streamOpen: boolean;
}

/**
 * A complete legacy HTTP+SSE endpoint with sessions: `GET /sse` opens a stream and a session,
 * `POST /messages?sessionId=...` delivers a client message, with one SSE transport (the wire
 * format of the SDK's `SSEServerTransport`, on node:http or on a Web stream for `fetch`) and one
 * server per session, built by `createServer` once the session is registered.
 *
 * - Session IDs come from the manager (its `generateId`, by default a random UUID), on both
 *   doors, and are announced in the stream's `endpoint` event.
 *
 * - Every `POST` naming a live session touches it and pins it until the answer is written; an
 *   open stream pins its session.
 * - The stream is the session (legacy SSE has no resumption): when the client closes it, the
 *   session ends at once with reason `'deleted'` (fleet-wide on a shared store), which frees its
 *   capacity slot and closes its server; later `POST`s naming it answer 404 `SESSION_EXPIRED`.
 * - When a session ends for any reason its transport and server are closed and the stream ends.
 * - With a `relay`, the replica that opens a stream records it; a `POST` landing on another
 *   replica is admitted there (touch, owner check) and forwarded to it with its `authInfo`
 *   (answered 202), and a session ended on any replica closes its stream within moments.
 * - What a stream holds for a client that does not read is bounded by `maxBufferedBytes`: a
 *   message to send while more than that is still unsent drops the stream and ends the session
 *   with reason `'closed'`. Legacy SSE answers a `POST` with 202 before its answer goes on the
 *   stream, so the `POST` whose answer was lost got its 202; the client's next `POST` answers 404
 *   `SESSION_EXPIRED` (reason `closed`) and it must open a new stream.
 * - Open streams are bounded in time: a node-door stream whose client has read nothing for
 *   `writeStallTimeoutMs` while bytes wait is dropped (reason `'closed'`), and TCP keep-alive
 *   (`tcpKeepAliveMs`) is set on its socket; with `maxStreamDurationMs` set, a stream open that
 *   long is ended on either door, and its session with it (reason `'closed'`).
 * - Failures answer JSON-RPC bodies: 400 (missing or malformed `sessionId`, a session of another
 *   transport, a message that is not JSON-RPC), 404 (`SESSION_EXPIRED` with reason and
 *   `X-Session-Expired` headers, or `SESSION_NOT_FOUND` for unknown IDs and other owners'
 *   sessions), 409 (the session's stream is closed, or held by another process and no `relay`
 *   carries the message there), 413, 415, 429 + `Retry-After` (the owner holds
 *   `maxSessionsPerOwner` sessions, or it or the client address is past `creationRate`), 503 +
 *   `Retry-After` (capacity, store unavailable, shutting down; nothing is deleted).
 *
 * Use {@link SseHandler.node} with node:http, or mount it as Express middleware, and
 * {@link SseHandler.fetch} with fetch-style servers (Hono, Bun, Deno).
 *
 * @example
 * ```ts
 * const sse = new SseHandler({ sessions, createServer: () => buildServer() });
 * app.use(sse.node); // GET /sse + POST /messages
 * ```
 */
export class SseHandler {
  readonly #options: ResolvedSseHandlerOptions;
  readonly #failure: FailureContext;
  readonly #mistake: (answer: HttpAnswer) => HttpAnswer;
  readonly #entries: LocalSessions<Entry>;
  readonly #opening = new Set<Promise<void>>();
  readonly #watch: StreamWatch;
  readonly #fleet: SseFleet | undefined;
  #closed = false;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: SseHandlerOptions) {
    const o = resolveSseHandlerOptions(options);
    this.#options = o;
    this.#failure = { ...o, transport: 'legacy SSE' };
    this.#mistake = (answer) => countMistake(o.sessions, answer);
    this.#entries = new LocalSessions(o.logger);
    this.#watch = new StreamWatch(o.sessions.clock, o);
    if (o.relay !== undefined) {
      this.#fleet = new SseFleet({
        ...o,
        relay: o.relay,
        find: (id) => this.#entries.get(id),
        dispose: (id) => {
          const entry = this.#entries.get(id);
          if (entry !== undefined) void this.#entries.dispose(id, entry);
        },
      });
    }
  }

  /** How many sessions have their transport and server on this handler now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * node:http front door, usable as Express middleware (`app.use(sse.node)`). A function as
   * third argument is taken as `next`: called for paths the handler does not serve and with
   * unexpected errors. Any other third argument is the already parsed body (`req.body` is used
   * too). A `POST` is refused (415, 413, 400) before any session is touched when it is not JSON,
   * too large or not parsable. A `Host` that forms no URL answers 400. Without `next`, other
   * paths answer 404 and unexpected errors 500 (logged). Never rejects.
   */
  readonly node: NodeDoor = async (req, res, nextOrParsedBody) => {
    const { next, parsedBody } = doorArgument(nextOrParsedBody);
    const { ssePath, messagesPath, maxRequestBodySize } = this.#options;
    const path = pathOf(req.url);
    let rpcId: JsonRpcId = null;
    const fail = (error: unknown) => failNode(this.#failure, res, next, error, rpcId);
    try {
      if (path === messagesPath) {
        if (req.method !== 'POST')
          return writeNodeAnswer(res, this.#mistake(methodNotAllowed(['POST'])));
        const url = parsedRequestUrl(req);
        const read = await postBody(req.headers['content-type'], parsedBody ?? req.body, () =>
          readNodeJson(req, maxRequestBodySize),
        );
        if ('answer' in read) return writeNodeAnswer(res, this.#mistake(read.answer));
        rpcId = requestIdOf(read.value);
        const refused = this.#refusal(rpcId);
        if (refused !== undefined) return writeNodeAnswer(res, refused);
        const owner = ownerOfNode(this.#options.ownerOf, req);
        const admitted = await admitMessage(this.#options, owner, req.url, read.value);
        if ('answer' in admitted) return writeNodeAnswer(res, this.#mistake(admitted.answer));
        if (res.destroyed) void admitted.release();
        else res.once('close', admitted.release);
        const extra = extraOf(req.headers, url, req.auth);
        const answer = await this.#deliver(admitted.session.id, read.value, extra);
        if (answer !== undefined) writeNodeAnswer(res, answer);
        else res.writeHead(202).end('Accepted');
      } else if (path === ssePath) {
        if (req.method !== 'GET')
          return writeNodeAnswer(res, this.#mistake(methodNotAllowed(['GET'])));
        parsedRequestUrl(req);
        const refused = this.#refusal(null);
        if (refused !== undefined) return writeNodeAnswer(res, refused);
        const owner = ownerOfNode(this.#options.ownerOf, req);
        const sink = nodeSink(res);
        const endpoint = this.#endpointFor(req.baseUrl);
        await this.#track(
          this.#openStream(
            { owner, address: clientAddressOf(req) },
            (answer) => sink.refuse(answer),
            (id) => ({ transport: new NodeSseTransport(endpoint, res, id), sink, res }),
            fail,
          ),
        );
      } else if (next !== undefined) next();
      else writeNodeAnswer(res, pathNotFound(ssePath, messagesPath));
    } catch (error) {
      fail(error);
    }
  };

  /**
   * Web front door: `Request -> Response` for fetch-style servers, on the paths of the request
   * URL. The same answers as {@link SseHandler.node}; the stream is a `text/event-stream` body
   * that ends when the session does and releases the session when the client cancels it. Never
   * rejects: unexpected failures answer 500 and are logged.
   */
  readonly fetch = async (request: Request, options: WebRequestOptions = {}): Promise<Response> => {
    const { ssePath, messagesPath, maxRequestBodySize } = this.#options;
    let rpcId: JsonRpcId = null;
    try {
      const url = new URL(request.url);
      const owner = () => this.#options.ownerOf(options.authInfo, request);
      if (url.pathname === messagesPath) {
        if (request.method !== 'POST')
          return toWebResponse(this.#mistake(methodNotAllowed(['POST'])));
        const read = await postBody(request.headers.get('content-type'), options.parsedBody, () =>
          readWebJson(request, maxRequestBodySize),
        );
        if ('answer' in read) return toWebResponse(this.#mistake(read.answer));
        rpcId = requestIdOf(read.value);
        const refused = this.#refusal(rpcId);
        if (refused !== undefined) return toWebResponse(refused);
        const admitted = await admitMessage(this.#options, owner(), request.url, read.value);
        if ('answer' in admitted) return toWebResponse(this.#mistake(admitted.answer));
        try {
          const extra = extraOf(headerRecord(request.headers), url, options.authInfo);
          const answer = await this.#deliver(admitted.session.id, read.value, extra);
          return answer === undefined
            ? new Response('Accepted', { status: 202 })
            : toWebResponse(answer);
        } finally {
          void admitted.release();
        }
      }
      if (url.pathname === ssePath) {
        if (request.method !== 'GET')
          return toWebResponse(this.#mistake(methodNotAllowed(['GET'])));
        const refused = this.#refusal(null);
        if (refused !== undefined) return toWebResponse(refused);
        const endpoint = this.#endpointFor(undefined);
        const opened: { transport?: WebSseTransport; refused?: HttpAnswer; failure?: unknown } = {};
        await this.#track(
          this.#openStream(
            { owner: owner(), address: options.clientAddress },
            (answer) => {
              opened.refused ??= answer;
            },
            (id) => {
              const transport = new WebSseTransport(endpoint, id);
              opened.transport = transport;
              return { transport, sink: transport };
            },
            (error) => {
              if (!('failure' in opened)) opened.failure = error;
            },
          ),
        );
        const { transport } = opened;
        if (transport === undefined) {
          return toWebResponse(opened.refused ?? failureAnswer(this.#failure, undefined, null));
        }
        if ('failure' in opened) {
          await transport.close();
          return toWebResponse(failureAnswer(this.#failure, opened.failure, null));
        }
        const response = transport.response();
        if (response instanceof Response) return response;
        await transport.close();
        return toWebResponse(response);
      }
      return toWebResponse(pathNotFound(ssePath, messagesPath));
    } catch (error) {
      return toWebResponse(failureAnswer(this.#failure, error, rpcId));
    }
  };

  /**
   * Closes every transport and server this handler holds, without ending their sessions: their
   * streams end and their pins are released, so the idle clock runs. Later requests answer 503.
   * To end the sessions as well, close the manager. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#fleet?.close();
    await Promise.allSettled([...this.#opening]);
    await this.#entries.disposeAll();
  }

  /** The 503 of a closed handler, else `undefined`. */
  #refusal(rpcId: JsonRpcId): HttpAnswer | undefined {
    return this.#closed ? shuttingDown(this.#options.retryAfterSeconds, rpcId) : undefined;
  }

  async #track(opening: Promise<void>): Promise<void> {
    this.#opening.add(opening);
    try {
      await opening;
    } finally {
      this.#opening.delete(opening);
    }
  }

  /**
   * Opens a stream of `creator`: creates its session (named by the manager's `generateId`), has
   * `build` make the stream's transport under that ID, builds and connects its server. A refusal
   * goes to `refuse`; a failure after the session was made goes to `fail`, then the session ends.
   */
  async #openStream(
    creator: StreamCreator,
    refuse: (answer: HttpAnswer) => void,
    build: (id: string) => {
      readonly transport: SseTransport;
      readonly sink: StreamSink;
      /** The node:http response of the stream; absent on the `fetch` door. */
      readonly res?: ServerResponse;
    },
    fail: (error: unknown) => void,
  ): Promise<void> {
    const { sessions, createServer } = this.#options;
    const lease = await openSession(this.#options, creator, undefined, refuse);
    if (lease === undefined) return;
    const { transport, sink, res } = build(lease.session.id);
    const attached = manageStream(this.#options, lease, { transport, sink });
    boundSends(transport, sink, this.#options.maxBufferedBytes, attached.overflow);
    const unwatch = this.#watch.open(res, attached.expire, attached.overflow);
    if (sink.closed) unwatch();
    else sink.onClose(unwatch);
    const id = attached.session.id;
    const entry: Entry = {
      transport,
      server: undefined,
      streamOpen: !sink.closed,
      closing: false,
      detach: attached.detach,
    };
    let released: (() => void) | undefined;
    sink.onClose(() => {
      entry.streamOpen = false;
      released?.();
    });
    this.#entries.set(id, entry);
    const unhook = sessions.onEnd(id, async () => {
      this.#entries.forget(id, entry);
      await entry.server?.close();
    });
    entry.detach = () => {
      unhook();
      return attached.detach();
    };
    if (entry.streamOpen && this.#fleet !== undefined) {
      // Recorded before the endpoint is announced: a POST landing elsewhere finds this replica.
      released = await this.#fleet.streamOpened(id);
      if (!entry.streamOpen) released();
    }
    try {
      const server = await createServer(attached.session);
      entry.server = server;
      if (entry.closing) {
        await server.close();
        return;
      }
      await server.connect(transport);
    } catch (error) {
      fail(error);
      await sessions.end(id, 'closed').catch(() => undefined);
    }
  }

  /**
   * Hands a client message to the transport of session `id`; answers the refusal (409 without an
   * open stream here, 400 for a message that is not JSON-RPC), or `undefined` once delivered.
   */
  async #deliver(
    id: string,
    body: unknown,
    extra: MessageExtraInfo,
  ): Promise<HttpAnswer | undefined> {
    const requestId = requestIdOf(body);
    const entry = this.#entries.get(id);
    if (entry === undefined && this.#fleet !== undefined) {
      if (!SseFleet.isMessage(body)) return invalidMessage(requestId);
      if (await this.#fleet.forward(id, body, extra.authInfo)) return undefined;
    }
    if (entry === undefined || !entry.streamOpen) {
      return streamUnavailable(entry !== undefined, this.#options.ssePath, requestId);
    }
    try {
      await entry.transport.handleMessage(body, extra);
    } catch {
      return invalidMessage(requestId);
    }
    return undefined;
  }

  #endpointFor(baseUrl: string | undefined): string {
    return this.#options.endpoint ?? `${baseUrl ?? ''}${this.#options.messagesPath}`;
  }
}

function extraOf(
  headers: NonNullable<MessageExtraInfo['requestInfo']>['headers'],
  url: URL,
  authInfo: AuthInfo | undefined,
): MessageExtraInfo {
  const requestInfo = { headers, url };
  return authInfo === undefined ? { requestInfo } : { requestInfo, authInfo };
}

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}
