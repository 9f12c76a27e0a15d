import type { ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { type JsonRpcId, requestIdOf } from '../../protocol.js';
import { invalidMessage, methodNotAllowed, shuttingDown } from '../shared/answers.js';
import { type JsonBody, postBody, readNodeJson } from '../shared/body.js';
import { doorArgument, type FailureContext, failNode } from '../shared/failure.js';
import { type NodeRequest, parsedRequestUrl, writeNodeAnswer } from '../shared/node-bridge.js';
import { ownerOfNode } from '../shared/owner.js';
import { type LocalSession, LocalSessions } from '../shared/registry.js';
import { admitMessage, attachStream } from './gate.js';
import {
  type ResolvedSseHandlerOptions,
  resolveSseHandlerOptions,
  type SseHandlerOptions,
} from './options.js';
import { pathNotFound, streamUnavailable } from './replies.js';
import { pathOf } from './url.js';

/** This process's transport and server of one session. */
interface Entry extends LocalSession {
  readonly transport: SSEServerTransport;
  streamOpen: boolean;
}

/**
 * A complete legacy HTTP+SSE endpoint with sessions: `GET /sse` opens a stream and a session,
 * `POST /messages?sessionId=...` delivers a client message, with one SDK `SSEServerTransport`
 * and one server per session, built by `createServer` once the session is registered.
 *
 * - Every `POST` naming a live session touches it and pins it until the answer is written; an
 *   open stream pins its session until it closes, then the idle clock runs.
 * - When a session ends for any reason its transport and server are closed and the stream ends.
 * - Failures answer JSON-RPC bodies: 400 (missing or malformed `sessionId`, a session of another
 *   transport, a message that is not JSON-RPC), 404 (`SESSION_EXPIRED` with reason and
 *   `X-Session-Expired` headers, or `SESSION_NOT_FOUND` for unknown IDs and other owners'
 *   sessions), 409 (the session's stream is closed or held by another process), 413, 415, 503
 *   + `Retry-After` (capacity, store unavailable, shutting down; nothing is deleted).
 *
 * Use {@link SseHandler.node} with node:http, or mount it as Express middleware.
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
  readonly #entries: LocalSessions<Entry>;
  readonly #opening = new Set<Promise<void>>();
  #closed = false;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: SseHandlerOptions) {
    this.#options = resolveSseHandlerOptions(options);
    this.#failure = { ...this.#options, transport: 'legacy SSE' };
    this.#entries = new LocalSessions(this.#options.logger);
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
  readonly node = async (
    req: NodeRequest,
    res: ServerResponse,
    nextOrParsedBody?: unknown,
  ): Promise<void> => {
    const { next, parsedBody } = doorArgument(nextOrParsedBody);
    const { ssePath, messagesPath } = this.#options;
    const path = pathOf(req.url);
    let rpcId: JsonRpcId = null;
    const fail = (error: unknown) => failNode(this.#failure, res, next, error, rpcId);
    try {
      if (path === messagesPath) {
        if (req.method !== 'POST') return writeNodeAnswer(res, methodNotAllowed(['POST']));
        const url = parsedRequestUrl(req);
        const read = await this.#body(req, parsedBody);
        if ('answer' in read) return writeNodeAnswer(res, read.answer);
        rpcId = requestIdOf(read.value);
        if (this.#closed) {
          return writeNodeAnswer(res, shuttingDown(this.#options.retryAfterSeconds, rpcId));
        }
        await this.#deliver(req, res, read.value, url);
      } else if (path === ssePath) {
        if (req.method !== 'GET') return writeNodeAnswer(res, methodNotAllowed(['GET']));
        parsedRequestUrl(req);
        if (this.#closed)
          return writeNodeAnswer(res, shuttingDown(this.#options.retryAfterSeconds));
        await this.#track(this.#openStream(req, res, fail));
      } else if (next !== undefined) next();
      else writeNodeAnswer(res, pathNotFound(ssePath, messagesPath));
    } catch (error) {
      fail(error);
    }
  };

  /**
   * Closes every transport and server this handler holds, without ending their sessions: their
   * streams end and their pins are released, so the idle clock runs. Later requests answer 503.
   * To end the sessions as well, close the manager. Idempotent.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#opening]);
    await this.#entries.disposeAll();
  }

  /**
   * The JSON body of a `POST`: `supplied` (else `req.body`) when a framework already parsed it,
   * else read. Either way a body not declared as JSON answers 415, before any session is touched.
   */
  #body(req: NodeRequest, supplied: unknown): Promise<JsonBody> {
    return postBody(req.headers['content-type'], supplied ?? req.body, () =>
      readNodeJson(req, this.#options.maxRequestBodySize),
    );
  }

  async #track(opening: Promise<void>): Promise<void> {
    this.#opening.add(opening);
    try {
      await opening;
    } finally {
      this.#opening.delete(opening);
    }
  }

  /** Opens a stream; a failure after the session was made is answered with `fail`, then ends it. */
  async #openStream(
    req: NodeRequest,
    res: ServerResponse,
    fail: (error: unknown) => void,
  ): Promise<void> {
    const { sessions, createServer } = this.#options;
    const owner = ownerOfNode(this.#options.ownerOf, req);
    const transport = new SSEServerTransport(this.#endpointFor(req), res);
    const attached = await attachStream(this.#options, owner, { transport, res });
    if (attached === undefined) return;
    const id = attached.session.id;
    const entry: Entry = {
      transport,
      server: undefined,
      streamOpen: !res.destroyed,
      closing: false,
      detach: attached.detach,
    };
    res.once('close', () => {
      entry.streamOpen = false;
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

  async #deliver(req: NodeRequest, res: ServerResponse, body: unknown, url: URL): Promise<void> {
    const owner = ownerOfNode(this.#options.ownerOf, req);
    const admitted = await admitMessage(this.#options, owner, req, res, body);
    if (admitted === undefined) return;
    const requestId = requestIdOf(body);
    const entry = this.#entries.get(admitted.session.id);
    if (entry === undefined || !entry.streamOpen) {
      writeNodeAnswer(
        res,
        streamUnavailable(entry !== undefined, this.#options.ssePath, requestId),
      );
      return;
    }
    try {
      await entry.transport.handleMessage(body, extraOf(req, url));
    } catch {
      writeNodeAnswer(res, invalidMessage(requestId));
      return;
    }
    res.writeHead(202).end('Accepted');
  }

  #endpointFor(req: NodeRequest): string {
    return this.#options.endpoint ?? `${req.baseUrl ?? ''}${this.#options.messagesPath}`;
  }
}

function extraOf(req: NodeRequest, url: URL): MessageExtraInfo {
  const requestInfo = { headers: req.headers, url };
  return req.auth === undefined ? { requestInfo } : { requestInfo, authInfo: req.auth };
}
