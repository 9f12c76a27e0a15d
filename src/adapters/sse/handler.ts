import type { ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { maskSessionId } from '../../core/logger.js';
import { copySessionRecord } from '../../core/record.js';
import {
  answerForError,
  type HttpAnswer,
  requestIdOf,
  serviceUnavailable,
  writeNodeAnswer,
} from '../http/answers.js';
import { methodNotAllowed, parseError, payloadTooLarge } from '../http/body-answers.js';
import type { SessionServer } from '../http/server.js';
import { readJsonBody } from './body.js';
import { admitMessage, attachStream } from './gate.js';
import {
  type ResolvedSseHandlerOptions,
  resolveSseHandlerOptions,
  type SseHandlerOptions,
  type SseRequest,
} from './options.js';
import { invalidMessage, pathNotFound, streamUnavailable, UNSUPPORTED_TYPE } from './replies.js';
import { pathOf } from './url.js';

/** Express-style `next`. */
type Next = (error?: unknown) => void;

/** This process's transport and server of one session. */
interface Entry {
  readonly transport: SSEServerTransport;
  server: SessionServer | undefined;
  streamOpen: boolean;
  closing: boolean;
  /** Lets go of the stream without ending the session: its end hook, keep-alive and pin. */
  detachStream: () => Promise<void>;
  /** Detaches this handler's end hook. */
  detach: () => void;
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
  readonly #entries = new Map<string, Entry>();
  readonly #opening = new Set<Promise<void>>();
  #closed = false;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: SseHandlerOptions) {
    this.#options = resolveSseHandlerOptions(options);
  }

  /** How many sessions have their transport and server on this handler now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * node:http front door, usable as Express middleware (`app.use(sse.node)`). A function as
   * third argument is taken as `next`: called for paths the handler does not serve and with
   * unexpected errors. Any other third argument is the already parsed body (`req.body` is used
   * too). Without `next`, other paths answer 404 and unexpected errors 500 (logged).
   */
  readonly node = async (
    req: SseRequest,
    res: ServerResponse,
    nextOrParsedBody?: unknown,
  ): Promise<void> => {
    const next = typeof nextOrParsedBody === 'function' ? (nextOrParsedBody as Next) : undefined;
    const parsedBody = next === undefined ? nextOrParsedBody : undefined;
    const { ssePath, messagesPath } = this.#options;
    const path = pathOf(req.url);
    const fail = (error: unknown) => {
      if (next !== undefined && !res.headersSent) next(error);
      else if (!res.headersSent) writeNodeAnswer(res, this.#failed(error));
      else if (!res.writableEnded) res.end();
    };
    try {
      if (path === messagesPath) {
        if (req.method === 'POST') await this.#deliver(req, res, parsedBody);
        else writeNodeAnswer(res, methodNotAllowed(['POST']));
      } else if (path === ssePath) {
        if (req.method !== 'GET') writeNodeAnswer(res, methodNotAllowed(['GET']));
        else if (this.#closed) writeNodeAnswer(res, this.#shuttingDown(null));
        else await this.#track(this.#openStream(req, res, fail));
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
    await Promise.all([...this.#entries].map(([id, entry]) => this.#dispose(id, entry)));
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
    req: SseRequest,
    res: ServerResponse,
    fail: (error: unknown) => void,
  ): Promise<void> {
    const { sessions, createServer } = this.#options;
    const transport = new SSEServerTransport(this.#endpointFor(req), res);
    const attached = await attachStream(this.#options, { transport, req, res });
    if (attached === undefined) return;
    const id = attached.session.id;
    const entry: Entry = {
      transport,
      server: undefined,
      streamOpen: !res.destroyed,
      closing: false,
      detachStream: attached.detach,
      detach: noop,
    };
    res.once('close', () => {
      entry.streamOpen = false;
    });
    this.#entries.set(id, entry);
    entry.detach = sessions.onEnd(id, async () => {
      entry.closing = true;
      if (this.#entries.get(id) === entry) this.#entries.delete(id);
      await entry.server?.close();
    });
    try {
      const server = await createServer(copySessionRecord(attached.session));
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

  async #deliver(req: SseRequest, res: ServerResponse, parsedBody: unknown): Promise<void> {
    const { maxRequestBodySize, ssePath } = this.#options;
    let body = parsedBody ?? req.body;
    if (body === undefined) {
      const read = await readJsonBody(req, maxRequestBodySize);
      if (!read.ok) {
        if (read.failure === 'unsupported-type') writeNodeAnswer(res, UNSUPPORTED_TYPE);
        else if (read.failure === 'too-large')
          writeNodeAnswer(res, payloadTooLarge(maxRequestBodySize));
        else writeNodeAnswer(res, parseError());
        return;
      }
      body = read.value;
    }
    if (this.#closed) {
      writeNodeAnswer(res, this.#shuttingDown(requestIdOf(body)));
      return;
    }
    const admitted = await admitMessage(this.#options, req, res, body);
    if (admitted === undefined) return;
    const requestId = requestIdOf(body);
    const entry = this.#entries.get(admitted.session.id);
    if (entry === undefined || !entry.streamOpen) {
      writeNodeAnswer(res, streamUnavailable(entry !== undefined, ssePath, requestId));
      return;
    }
    try {
      await entry.transport.handleMessage(body, extraOf(req));
    } catch {
      writeNodeAnswer(res, invalidMessage(requestId));
      return;
    }
    res.writeHead(202).end('Accepted');
  }

  /** Forgets a session here and closes its server and transport; the session itself is kept. */
  async #dispose(id: string, entry: Entry): Promise<void> {
    if (entry.closing) return;
    entry.closing = true;
    if (this.#entries.get(id) === entry) this.#entries.delete(id);
    entry.detach();
    const released = entry.detachStream();
    try {
      await entry.server?.close();
      await entry.transport.close();
    } catch (error) {
      this.#options.logger.warn?.('mcp-sessions: closing a session transport failed', {
        session: maskSessionId(id),
        error,
      });
    }
    await released;
  }

  #endpointFor(req: SseRequest): string {
    return this.#options.endpoint ?? `${req.baseUrl ?? ''}${this.#options.messagesPath}`;
  }

  #shuttingDown(rpcId: ReturnType<typeof requestIdOf>): HttpAnswer {
    return serviceUnavailable(
      'Server shutting down; retry later.',
      this.#options.retryAfterSeconds,
      rpcId,
    );
  }

  #failed(error: unknown): HttpAnswer {
    const answer = answerForError(error, null, this.#options.retryAfterSeconds);
    if (answer.status === 500) {
      this.#options.logger.error?.('mcp-sessions: legacy SSE request failed', { error });
    }
    return answer;
  }
}

function extraOf(req: SseRequest): MessageExtraInfo {
  const host = req.headers.host;
  const requestInfo: NonNullable<MessageExtraInfo['requestInfo']> = { headers: req.headers };
  if (host !== undefined && req.url !== undefined) {
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    requestInfo.url = new URL(req.url, `${secure ? 'https' : 'http'}://${host}`);
  }
  return req.auth === undefined ? { requestInfo } : { requestInfo, authInfo: req.auth };
}

function noop(): void {}
