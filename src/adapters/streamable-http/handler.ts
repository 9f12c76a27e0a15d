import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { HandleRequestOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { noop, runBefore } from '../../core/functions.js';
import { maskSessionId } from '../../core/logger.js';
import { isValidSessionId } from '../../core/session-id.js';
import type { Acquisition } from '../../core/session-manager.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';
import { type HttpAnswer, type JsonRpcId, requestIdOf, SESSION_ID_HEADER } from '../../protocol.js';
import {
  answerForResolution,
  malformedSessionHeader,
  methodNotAllowed,
  shuttingDown,
  toWebResponse,
  wrongSessionKind,
} from '../shared/answers.js';
import { postBody, readNodeJson, readWebJson } from '../shared/body.js';
import { countMistake } from '../shared/client-mistakes.js';
import { doorArgument, type FailureContext, failNode, failureAnswer } from '../shared/failure.js';
import { refusedByGuard, refusedPostAccept } from '../shared/guard.js';
import {
  type NodeDoor,
  toWebRequest,
  writeNodeAnswer,
  writeWebResponse,
} from '../shared/node-bridge.js';
import type { WebRequestOptions } from '../shared/options.js';
import { LocalSessions } from '../shared/registry.js';
import { storedInitialize } from '../shared/stored-init.js';
import { StreamWatch } from '../shared/stream-watch.js';
import { onBodyDone } from '../shared/track-body.js';
import { StreamableFleet } from './fleet.js';
import { IdleTrim } from './idle-trim.js';
import {
  type ResolvedStreamableHttpOptions,
  resolveHandlerOptions,
  STREAMABLE_HTTP_KIND,
  STREAMABLE_HTTP_METHODS,
  type StreamableHttpHandlerOptions,
} from './options.js';
import { InitializeReplayError, refusedReplay, replayInitialize } from './replay.js';
import {
  buildTransport,
  handleOptions,
  type LocalTransport as Local,
} from './session-transport.js';
import { answerWithoutSession } from './sessionless.js';

type Served =
  | { readonly answer: HttpAnswer }
  /** An unexpected failure, for the door to answer or hand to `next`. */
  | { readonly failure: unknown }
  | { readonly response: Response; readonly finish: (() => Promise<void>) | undefined };

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
 *   with `Retry-After`, an owner at `maxSessionsPerOwner` 429 with `Retry-After`, before any
 *   transport exists.
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
export class StreamableHttpHandler {
  readonly #options: ResolvedStreamableHttpOptions;
  readonly #failure: FailureContext;
  readonly #local: LocalSessions<Local>;
  readonly #restoring = new Map<string, Promise<Local>>();
  readonly #watch: StreamWatch;
  readonly #fleet: StreamableFleet | undefined;
  readonly #idle: IdleTrim<Local> | undefined;
  readonly #mistake: (answer: HttpAnswer) => HttpAnswer;
  #closed = false;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: StreamableHttpHandlerOptions) {
    const o = resolveHandlerOptions(options);
    this.#options = o;
    this.#failure = { ...o, transport: 'Streamable HTTP' };
    this.#mistake = (answer) => countMistake(o.sessions, answer);
    this.#local = new LocalSessions(o.logger);
    this.#watch = new StreamWatch(o.sessions.clock, o);
    if (o.relay !== undefined) {
      this.#fleet = new StreamableFleet({
        ...o,
        relay: o.relay,
        kind: STREAMABLE_HTTP_KIND,
        find: (id) => this.#local.get(id),
        dispose: (id) => this.#dispose(id),
      });
    }
    if (o.sessions.store.shared && o.localIdleMs > 0) {
      this.#idle = new IdleTrim(this.#local, o.sessions.clock, o.localIdleMs);
      this.#idle.start();
    }
  }

  /** How many sessions have a transport open in this process. */
  get size(): number {
    return this.#local.size;
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
  readonly node: NodeDoor = async (req, res, nextOrParsedBody) => {
    const { next, parsedBody } = doorArgument(nextOrParsedBody);
    let rpcId: JsonRpcId = null;
    // Listened for from the start: a client can leave while its request waits on the store.
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    try {
      const request = toWebRequest(req);
      let body: unknown;
      if (req.method === 'POST') {
        const supplied = parsedBody ?? req.body;
        const read = await postBody(req.headers['content-type'], supplied, () =>
          readNodeJson(req, this.#options.maxRequestBodySize),
        );
        if ('answer' in read) return writeNodeAnswer(res, this.#mistake(read.answer));
        body = read.value;
        rpcId = requestIdOf(body);
      }
      const served = await this.#serve(request, body, req.auth);
      if ('answer' in served) return writeNodeAnswer(res, this.#mistake(served.answer));
      if ('failure' in served) return failNode(this.#failure, res, next, served.failure, rpcId);
      try {
        if (gone) await served.response.body?.cancel().catch(noop);
        else {
          const { maxBufferedBytes } = this.#options;
          const get = req.method === 'GET';
          await writeWebResponse(res, served.response, maxBufferedBytes, this.#watch, get);
        }
      } finally {
        void served.finish?.();
      }
    } catch (error) {
      failNode(this.#failure, res, next, error, rpcId);
    }
  };

  /**
   * Web front door: `Request -> Response` for fetch-style servers. A `POST` is refused (415,
   * 413, 400) before any session is touched when it is not JSON, too large or not parsable.
   * Never rejects: unexpected failures answer 500 and are logged.
   */
  readonly fetch = async (request: Request, options: WebRequestOptions = {}): Promise<Response> => {
    let rpcId: JsonRpcId = null;
    try {
      let body: unknown;
      if (request.method === 'POST') {
        const read = await postBody(request.headers.get('content-type'), options.parsedBody, () =>
          readWebJson(request, this.#options.maxRequestBodySize),
        );
        if ('answer' in read) return toWebResponse(this.#mistake(read.answer));
        body = read.value;
        rpcId = requestIdOf(body);
      }
      const served = await this.#serve(request, body, options.authInfo);
      if ('answer' in served) return toWebResponse(this.#mistake(served.answer));
      if ('failure' in served) {
        return toWebResponse(failureAnswer(this.#failure, served.failure, rpcId));
      }
      return served.finish === undefined
        ? served.response
        : onBodyDone(served.response, served.finish);
    } catch (error) {
      return toWebResponse(failureAnswer(this.#failure, error, rpcId));
    }
  };

  /**
   * Closes every transport and server this handler holds, without ending their sessions (with
   * a shared store another replica restores them). Later requests answer 503. To end the
   * sessions as well, close the manager. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#idle?.stop();
    await this.#fleet?.close();
    await Promise.allSettled([...this.#restoring.values()]);
    await this.#local.disposeAll();
  }

  /**
   * Lets go, now, of the transports and servers of sessions with no request or stream in flight
   * here for `localIdleMs` or more (on the manager's clock), without ending the sessions; what
   * the periodic check does. Answers how many were let go; `0` with a store that is not shared
   * or `localIdleMs: 0`. Never rejects.
   */
  trim(): Promise<number> {
    return this.#idle?.trim() ?? Promise.resolve(0);
  }

  async #serve(request: Request, body: unknown, authInfo: AuthInfo | undefined): Promise<Served> {
    const method = request.method;
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      return { answer: methodNotAllowed(STREAMABLE_HTTP_METHODS) };
    }
    const rpcId = method === 'POST' ? requestIdOf(body) : null;
    if (this.#closed) return { answer: shuttingDown(this.#options.retryAfterSeconds, rpcId) };
    const headers = request.headers;
    const refused = refusedByGuard(this.#options.guard, headers.get('host'), headers.get('origin'));
    if (refused !== undefined) return { answer: refused };
    const owner = this.#options.ownerOf(authInfo, request);
    const sessionId = headers.get(SESSION_ID_HEADER);
    if (sessionId === null) {
      if (method === 'POST' && isInitializeRequest(body)) {
        const unacceptable = refusedPostAccept(headers.get('accept'));
        if (unacceptable !== undefined) return { answer: unacceptable };
        return this.#initialize(request, body as JsonValue, owner, handleOptions(body, authInfo));
      }
      return { answer: answerWithoutSession(request, body, rpcId) };
    }
    if (!isValidSessionId(sessionId)) {
      return { answer: malformedSessionHeader(rpcId) };
    }
    const options = handleOptions(body, authInfo);
    let lease: Acquisition;
    try {
      lease = await this.#options.sessions.acquire(sessionId, { owner });
    } catch (error) {
      return { failure: error };
    }
    if (lease.status !== 'active') return { answer: answerForResolution(lease, rpcId) };
    let done: (() => void) | undefined;
    try {
      const kind = lease.session.kind;
      if (kind !== STREAMABLE_HTTP_KIND) {
        await lease.release();
        return { answer: wrongSessionKind(kind, STREAMABLE_HTTP_KIND, rpcId) };
      }
      const fleet = this.#fleet;
      const answers = fleet !== undefined && method === 'POST';
      if (answers && (await fleet.relayAnswers(sessionId, options))) {
        return { response: new Response(null, { status: 202 }), finish: lease.release };
      }
      const local = this.#local.get(sessionId) ?? (await this.#restore(lease.session, request));
      done = this.#idle?.begin(local);
      const response = await local.transport.handleRequest(request, options);
      const streamed = fleet !== undefined && method === 'GET' && response.status === 200;
      const closed = streamed ? await fleet.getOpened(sessionId, local, request) : undefined;
      if (done === undefined && closed === undefined) return { response, finish: lease.release };
      return { response, finish: runBefore([done, closed], lease.release) };
    } catch (error) {
      done?.();
      await lease.release();
      if (error instanceof InitializeReplayError && error.status >= 400 && error.status < 500) {
        return { answer: refusedReplay(error, rpcId) };
      }
      return { failure: error };
    }
  }

  async #initialize(
    request: Request,
    init: JsonValue,
    owner: string | undefined,
    options: HandleRequestOptions,
  ): Promise<Served> {
    const sessions = this.#options.sessions;
    let session: SessionRecord;
    try {
      session = await sessions.create({ owner, kind: STREAMABLE_HTTP_KIND, init });
    } catch (error) {
      return { failure: error };
    }
    try {
      const local = await this.#open(session);
      this.#local.set(session.id, local);
      const response = await local.transport.handleRequest(request, options);
      if (response.status !== 200) await this.#abandon(session.id);
      return { response, finish: undefined };
    } catch (error) {
      await this.#abandon(session.id);
      return { failure: error };
    }
  }

  /** Lets the session `id` held here go, without ending it. */
  #dispose(id: string): void {
    const local = this.#local.get(id);
    if (local !== undefined) void this.#local.dispose(id, local);
  }

  /** Builds and connects the transport and server of a session, closed when it ends. */
  async #open(session: SessionRecord): Promise<Local> {
    const id = session.id;
    const { transport, eventStore } = buildTransport(session, this.#options, (closedId) =>
      this.#deleted(closedId),
    );
    const local: Local = {
      transport,
      eventStore,
      server: undefined,
      closing: false,
      detach: noop,
      busy: 0,
      usedAt: this.#options.sessions.clock.now(),
      sendHere: undefined,
    };
    this.#fleet?.route(id, local);
    transport.onclose = () => void this.#local.dispose(id, local);
    local.detach = this.#options.sessions.onEnd(id, () => this.#local.dispose(id, local));
    try {
      const server = await this.#options.createServer(session);
      local.server = server;
      if (local.closing) throw new Error('The session ended while its server was being built.');
      await server.connect(transport);
    } catch (error) {
      await this.#local.dispose(id, local);
      throw error;
    }
    return local;
  }

  #restore(session: SessionRecord, request: Request): Promise<Local> {
    const id = session.id;
    let pending = this.#restoring.get(id);
    if (pending === undefined) {
      pending = this.#rebuild(session, request).finally(() => this.#restoring.delete(id));
      this.#restoring.set(id, pending);
    }
    return pending;
  }

  async #rebuild(session: SessionRecord, request: Request): Promise<Local> {
    const init = await storedInitialize(this.#options.sessions, session);
    const local = await this.#open(session);
    try {
      await replayInitialize(local.transport, session.id, init, request);
    } catch (error) {
      await this.#local.dispose(session.id, local);
      throw error;
    }
    if (!local.closing) this.#local.set(session.id, local);
    this.#options.sessions.noteAdapterEvent('restored');
    return local;
  }

  /** The client sent DELETE: the SDK calls this, then closes the transport. */
  async #deleted(id: string): Promise<void> {
    await this.#options.sessions.end(id, 'deleted');
  }

  /** The session could not be set up: end it (its end hook closes what was built). */
  async #abandon(id: string): Promise<void> {
    try {
      await this.#options.sessions.end(id, 'closed');
    } catch (error) {
      this.#options.logger.warn?.('mcp-sessions: could not end a session that failed to start', {
        session: maskSessionId(id),
        error,
      });
      const local = this.#local.get(id);
      if (local !== undefined) await this.#local.dispose(id, local);
    }
  }
}
