import type { ServerResponse } from 'node:http';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import type { SessionManager } from '../../core/session-manager.js';
import { answerForError, requestIdOf, writeNodeAnswer } from '../http/answers.js';
import { methodNotAllowed, parseError, payloadTooLarge } from '../http/body-answers.js';
import { readJsonBody } from './body.js';
import { hooksFor } from './hooks.js';
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

/**
 * A node:http request handler for the legacy HTTP+SSE transport.
 *
 * Call it as `handler(req, res)` or `handler(req, res, parsedBody)` from a node:http server, or
 * mount it as Express middleware (`app.use(handler)`): a function as third argument is taken as
 * `next`, called for paths the handler does not serve and with unexpected errors. Without
 * `next`, other paths answer 404 and unexpected errors 500.
 */
export interface SseHandler {
  (req: SseRequest, res: ServerResponse, parsedBodyOrNext?: unknown): Promise<void>;
  /** How many sessions have their transport and server on this handler now. */
  readonly size: number;
}

/** One session's transport on this handler. */
interface Entry {
  readonly transport: SSEServerTransport;
  streamOpen: boolean;
}

/**
 * Creates a complete handler for `GET /sse` (opens a stream and a session) and
 * `POST /messages?sessionId=...` (delivers a client message), with one server per session from
 * `options.createServer`.
 *
 * Every `POST` naming a live session touches it and pins it until the answer is written; an
 * open stream pins its session until it closes, then the idle clock runs. When a session ends
 * for any reason its transport and server are closed and the stream ends. Failures answer
 * JSON-RPC bodies: 400 (missing or malformed `sessionId`, a session of another transport, a
 * message that is not JSON-RPC), 404 (`SESSION_EXPIRED` with reason and `X-Session-Expired`
 * headers, or `SESSION_NOT_FOUND` for unknown IDs and other owners' sessions), 409 (the
 * session's stream is closed or held by another process), 413, 415, 503 + `Retry-After`
 * (capacity, store unavailable; nothing is deleted).
 *
 * @throws SessionError `INVALID_OPTION` naming the field, the value and the accepted range.
 * @example
 * ```ts
 * const sessions = new SessionManager({ idleTtlMs: 10 * 60_000 });
 * const handler = createSseHandler(sessions, { createServer: () => buildMcpServer() });
 * http.createServer((req, res) => handler(req, res)).listen(3000);
 * ```
 */
export function createSseHandler(manager: SessionManager, options: SseHandlerOptions): SseHandler {
  const o = resolveSseHandlerOptions(options);
  const hooks = hooksFor(manager, o);
  const entries = new Map<string, Entry>();

  /** Opens a stream; a failure after the session was made is answered with `fail`, then ends it. */
  async function openStream(
    req: SseRequest,
    res: ServerResponse,
    fail: (error: unknown) => void,
  ): Promise<void> {
    const transport = new SSEServerTransport(endpointFor(req, o), res);
    const session = await hooks.attach({ transport, req, res });
    if (session === undefined) return;
    const id = session.id;
    const entry: Entry = { transport, streamOpen: !res.destroyed };
    res.once('close', () => {
      entry.streamOpen = false;
    });
    entries.set(id, entry);
    let server: Awaited<ReturnType<ResolvedSseHandlerOptions['createServer']>> | undefined;
    manager.onEnd(id, async () => {
      if (entries.get(id) === entry) entries.delete(id);
      await server?.close();
    });
    try {
      server = await o.createServer({ sessionId: id, owner: session.owner, req });
      await server.connect(transport);
    } catch (error) {
      fail(error);
      await manager.end(id, 'closed').catch(() => undefined);
    }
  }

  async function deliver(req: SseRequest, res: ServerResponse, parsedBody: unknown): Promise<void> {
    let body = parsedBody ?? req.body;
    if (body === undefined) {
      const read = await readJsonBody(req, o.maxRequestBodySize);
      if (!read.ok) {
        if (read.failure === 'unsupported-type') writeNodeAnswer(res, UNSUPPORTED_TYPE);
        else if (read.failure === 'too-large')
          writeNodeAnswer(res, payloadTooLarge(o.maxRequestBodySize));
        else writeNodeAnswer(res, parseError());
        return;
      }
      body = read.value;
    }
    const admitted = await hooks.admit(req, res, body);
    if (admitted === undefined) return;
    const requestId = requestIdOf(body);
    const entry = entries.get(admitted.session.id);
    if (entry === undefined || !entry.streamOpen) {
      writeNodeAnswer(res, streamUnavailable(entry !== undefined, o.ssePath, requestId));
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

  const handler = async (
    req: SseRequest,
    res: ServerResponse,
    parsedBodyOrNext?: unknown,
  ): Promise<void> => {
    const next = typeof parsedBodyOrNext === 'function' ? (parsedBodyOrNext as Next) : undefined;
    const parsedBody = next === undefined ? parsedBodyOrNext : undefined;
    const path = pathOf(req.url);
    const fail = (error: unknown) => {
      if (next !== undefined && !res.headersSent) next(error);
      else if (!res.headersSent) writeNodeAnswer(res, answerForError(error));
      else if (!res.writableEnded) res.end();
    };
    try {
      if (path === o.messagesPath) {
        if (req.method === 'POST') await deliver(req, res, parsedBody);
        else writeNodeAnswer(res, methodNotAllowed(['POST']));
      } else if (path === o.ssePath) {
        if (req.method === 'GET') await openStream(req, res, fail);
        else writeNodeAnswer(res, methodNotAllowed(['GET']));
      } else if (next !== undefined) next();
      else writeNodeAnswer(res, pathNotFound(o.ssePath, o.messagesPath));
    } catch (error) {
      fail(error);
    }
  };
  Object.defineProperty(handler, 'size', { get: () => entries.size, enumerable: true });
  return handler as SseHandler;
}

function endpointFor(req: SseRequest, o: ResolvedSseHandlerOptions): string {
  return o.endpoint ?? `${req.baseUrl ?? ''}${o.messagesPath}`;
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
