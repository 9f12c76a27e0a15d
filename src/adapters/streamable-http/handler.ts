import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import {
  type HandleRequestOptions,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { maskSessionId } from '../../core/logger.js';
import { copySessionRecord } from '../../core/record.js';
import { isValidSessionId } from '../../core/session-id.js';
import type { Acquisition } from '../../core/session-manager.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';
import {
  answerForError,
  answerForResolution,
  type HttpAnswer,
  type JsonRpcId,
  malformedSessionHeader,
  missingSessionHeader,
  requestIdOf,
  SESSION_ID_HEADER,
  serviceUnavailable,
  toWebResponse,
  writeNodeAnswer,
} from '../http/answers.js';
import { methodNotAllowed, parseError, payloadTooLarge } from '../http/body-answers.js';
import type { SessionServer } from '../http/server.js';
import { STREAMABLE_HTTP_KIND, wrongSessionKind } from '../http/session-kind.js';
import { readNodeBody, toWebRequest, writeWebResponse } from '../node/web-bridge.js';
import { readWebBody } from '../web/read-body.js';
import { onBodyDone } from '../web/track-body.js';
import {
  type ResolvedHandlerOptions,
  resolveHandlerOptions,
  type StreamableHttpHandlerOptions,
} from './options.js';
import { replayInitialize } from './replay.js';

const ALLOWED_METHODS: readonly string[] = Object.freeze(['GET', 'POST', 'DELETE']);
const PARSE_FAILED: unique symbol = Symbol('parse failed');

/** A node:http request, as Express and the SDK's auth middleware leave it. */
export type NodeRequest = IncomingMessage & { auth?: AuthInfo; body?: unknown };

/** Per-request options of {@link StreamableHttpHandler.fetch}. */
export interface WebRequestOptions {
  /** The authenticated principal (what `req.auth` is on node); the default owner is its `clientId`. */
  authInfo?: AuthInfo;
  /** The JSON body, when the framework already parsed it (the request body is then not read). */
  parsedBody?: unknown;
}

/** This process's transport and server of one session. */
interface LocalSession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  server: SessionServer | undefined;
  closing: boolean;
  detach: () => void;
}

type Served =
  | { readonly answer: HttpAnswer }
  | { readonly response: Response; readonly finish: (() => Promise<void>) | undefined };

/**
 * A complete Streamable HTTP endpoint with sessions: routes `POST`, `GET` and `DELETE` to one
 * SDK transport and one server per session, built on demand by `createServer`.
 *
 * - `initialize` without a session header creates a session (owner, kind `streamable-http`, the
 *   request kept for restore), then its transport and server; capacity or a store outage answers
 *   503 with `Retry-After` before any transport exists.
 * - Every request naming a session acquires it (touch + pin) until its answer has been sent or
 *   its stream closed; ended sessions answer 404 `SESSION_EXPIRED`, unknown or foreign ones 404
 *   `SESSION_NOT_FOUND`, malformed IDs 400, requests without a header other than `initialize` 400.
 * - A live session without a transport here (made by another replica sharing the store) is
 *   restored by replaying its stored `initialize` request.
 * - When a session ends for any reason, its transport and server are closed.
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
  readonly #options: ResolvedHandlerOptions;
  readonly #local = new Map<string, LocalSession>();
  readonly #restoring = new Map<string, Promise<LocalSession>>();
  #closed = false;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: StreamableHttpHandlerOptions) {
    this.#options = resolveHandlerOptions(options);
  }

  /** How many sessions have a transport open in this process. */
  get size(): number {
    return this.#local.size;
  }

  /**
   * node:http front door, usable as Express 5 middleware (`app.all('/mcp', mcp.node)`). The body
   * is `parsedBody`, else `req.body` (set by `express.json()`), else read from the request.
   * `req.auth` is the `authInfo`. Never rejects: unexpected failures answer 500 and are logged.
   */
  readonly node = async (
    req: NodeRequest,
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<void> => {
    try {
      let body = typeof parsedBody === 'function' ? undefined : parsedBody;
      if (body === undefined && req.method === 'POST') {
        body = req.body;
        if (body === undefined) {
          const read = await readNodeBody(req, this.#options.maxRequestBodySize);
          if ('tooLarge' in read) {
            writeNodeAnswer(res, payloadTooLarge(this.#options.maxRequestBodySize));
            return;
          }
          body = parseJson(read.text);
          if (body === PARSE_FAILED) {
            writeNodeAnswer(res, parseError());
            return;
          }
        }
      }
      const served = await this.#serve(toWebRequest(req), body, req.auth);
      if ('answer' in served) {
        writeNodeAnswer(res, served.answer);
        return;
      }
      try {
        await writeWebResponse(res, served.response);
      } finally {
        void served.finish?.();
      }
    } catch (error) {
      writeNodeAnswer(res, this.#failed(error, null));
    }
  };

  /**
   * Web front door: `Request -> Response` for fetch-style servers. Never rejects: unexpected
   * failures answer 500 and are logged.
   */
  readonly fetch = async (request: Request, options: WebRequestOptions = {}): Promise<Response> => {
    try {
      let body = options.parsedBody;
      if (body === undefined && request.method === 'POST') {
        const read = await readWebBody(request, this.#options.maxRequestBodySize);
        if ('tooLarge' in read)
          return toWebResponse(payloadTooLarge(this.#options.maxRequestBodySize));
        body = parseJson(read.text);
        if (body === PARSE_FAILED) return toWebResponse(parseError());
      }
      const served = await this.#serve(request, body, options.authInfo);
      if ('answer' in served) return toWebResponse(served.answer);
      return served.finish === undefined
        ? served.response
        : onBodyDone(served.response, served.finish);
    } catch (error) {
      return toWebResponse(this.#failed(error, null));
    }
  };

  /**
   * Closes every transport and server this handler holds, without ending their sessions (with
   * a shared store another replica restores them). Later requests answer 503. To end the
   * sessions as well, close the manager. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#restoring.values()]);
    await Promise.all([...this.#local].map(([id, local]) => this.#dispose(id, local)));
  }

  async #serve(request: Request, body: unknown, authInfo: AuthInfo | undefined): Promise<Served> {
    const method = request.method;
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      return { answer: methodNotAllowed(ALLOWED_METHODS) };
    }
    const rpcId = method === 'POST' ? requestIdOf(body) : null;
    if (this.#closed) {
      return {
        answer: serviceUnavailable(
          'Server shutting down; retry later.',
          this.#options.retryAfterSeconds,
          rpcId,
        ),
      };
    }
    const owner = this.#options.ownerOf(authInfo, request);
    const options: HandleRequestOptions =
      authInfo === undefined ? { parsedBody: body } : { parsedBody: body, authInfo };
    const sessionId = request.headers.get(SESSION_ID_HEADER);
    if (sessionId === null) {
      if (method === 'POST' && isInitializeRequest(body)) {
        return this.#initialize(request, body as JsonValue, owner, options, rpcId);
      }
      return { answer: missingSessionHeader(rpcId) };
    }
    if (!isValidSessionId(sessionId)) {
      return { answer: malformedSessionHeader(rpcId) };
    }
    let lease: Acquisition;
    try {
      lease = await this.#options.sessions.acquire(sessionId, { owner });
    } catch (error) {
      return { answer: this.#failed(error, rpcId) };
    }
    if (lease.status !== 'active') return { answer: answerForResolution(lease, rpcId)! };
    try {
      let local = this.#local.get(sessionId);
      if (local === undefined) {
        const kind = lease.session.kind;
        if (kind !== STREAMABLE_HTTP_KIND) {
          await lease.release();
          return { answer: wrongSessionKind(kind, STREAMABLE_HTTP_KIND, rpcId) };
        }
        local = await this.#restore(copySessionRecord(lease.session), request);
      }
      const response = await local.transport.handleRequest(request, options);
      return { response, finish: lease.release };
    } catch (error) {
      await lease.release();
      return { answer: this.#failed(error, rpcId) };
    }
  }

  async #initialize(
    request: Request,
    init: JsonValue,
    owner: string | undefined,
    options: HandleRequestOptions,
    rpcId: JsonRpcId,
  ): Promise<Served> {
    const sessions = this.#options.sessions;
    let session: SessionRecord;
    try {
      session = await sessions.create({ owner, kind: STREAMABLE_HTTP_KIND, init });
    } catch (error) {
      return { answer: this.#failed(error, rpcId) };
    }
    try {
      const local = await this.#open(session);
      this.#local.set(session.id, local);
      const response = await local.transport.handleRequest(request, options);
      if (response.status !== 200) await this.#abandon(session.id);
      return { response, finish: undefined };
    } catch (error) {
      await this.#abandon(session.id);
      return { answer: this.#failed(error, rpcId) };
    }
  }

  /** Builds and connects the transport and server of a session, closed when it ends. */
  async #open(session: SessionRecord): Promise<LocalSession> {
    const id = session.id;
    const transport = new WebStandardStreamableHTTPServerTransport({
      ...this.#options.transportOptions?.(session),
      sessionIdGenerator: () => id,
      onsessionclosed: (closedId) => this.#deleted(closedId),
      keepAliveMs: this.#options.keepAliveMs,
    });
    const local: LocalSession = { transport, server: undefined, closing: false, detach: noop };
    transport.onclose = () => this.#transportClosed(id, local);
    local.detach = this.#options.sessions.onEnd(id, () => this.#dispose(id, local));
    try {
      const server = await this.#options.createServer(session);
      local.server = server;
      if (local.closing) throw new Error('The session ended while its server was being built.');
      await server.connect(transport);
    } catch (error) {
      await this.#dispose(id, local);
      throw error;
    }
    return local;
  }

  #restore(session: SessionRecord, request: Request): Promise<LocalSession> {
    const id = session.id;
    let pending = this.#restoring.get(id);
    if (pending === undefined) {
      pending = this.#rebuild(session, request).finally(() => this.#restoring.delete(id));
      this.#restoring.set(id, pending);
    }
    return pending;
  }

  async #rebuild(session: SessionRecord, request: Request): Promise<LocalSession> {
    if (session.init === undefined) {
      throw new Error(
        `Session ${maskSessionId(session.id)} has no stored initialize request to restore from.`,
      );
    }
    const local = await this.#open(session);
    try {
      await replayInitialize(local.transport, session.id, session.init, request);
    } catch (error) {
      await this.#dispose(session.id, local);
      throw error;
    }
    if (!local.closing) this.#local.set(session.id, local);
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
      if (local !== undefined) await this.#dispose(id, local);
    }
  }

  /** The transport closed without the session ending (server code closed it): forget it here. */
  #transportClosed(id: string, local: LocalSession): void {
    if (local.closing) return;
    void this.#dispose(id, local);
  }

  async #dispose(id: string, local: LocalSession): Promise<void> {
    if (local.closing) return;
    local.closing = true;
    if (this.#local.get(id) === local) this.#local.delete(id);
    local.detach();
    try {
      await local.server?.close();
      await local.transport.close();
    } catch (error) {
      this.#options.logger.warn?.('mcp-sessions: closing a session transport failed', {
        session: maskSessionId(id),
        error,
      });
    }
  }

  #failed(error: unknown, rpcId: JsonRpcId): HttpAnswer {
    const answer = answerForError(error, rpcId, this.#options.retryAfterSeconds);
    if (answer.status === 500) {
      this.#options.logger.error?.('mcp-sessions: Streamable HTTP request failed', { error });
    }
    return answer;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return PARSE_FAILED;
  }
}

function noop(): void {}
