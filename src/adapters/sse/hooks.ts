import type { ServerResponse } from 'node:http';
import { isValidSessionId } from '../../core/session-id.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { SessionRecord } from '../../core/types.js';
import {
  answerForError,
  answerForResolution,
  badRequest,
  type HttpAnswer,
  requestIdOf,
  sessionNotFound,
  writeNodeAnswer,
} from '../http/answers.js';
import { SSE_SESSION_KIND, wrongSessionKind } from '../http/sse-kind.js';
import { startKeepAlive } from './keep-alive.js';
import {
  type ResolvedSseHooksOptions,
  resolveSseHooksOptions,
  type SseHooksOptions,
  type SseRequest,
} from './options.js';
import { SESSION_ID_PARAM, sessionIdOf } from './url.js';

/** What {@link SseHooks.attach} needs of the SDK's `SSEServerTransport`. */
export interface SseTransportLike {
  readonly sessionId: string;
  close(): Promise<void>;
}

/** What {@link SseHooks.attach} needs to put a new stream under session management. */
export interface SseAttachOptions {
  /** The transport, built for `res` and not yet started (connect the server after attaching). */
  transport: SseTransportLike;
  /** The `GET` request that opens the stream (its owner binds the session). */
  req: SseRequest;
  /** The stream's response. */
  res: ServerResponse;
  /** The session's server, closed when the session ends. */
  server?: { close(): Promise<void> } | undefined;
}

/** A `POST` admitted to a live session; the session stays pinned until the response closes. */
export interface SseAdmission {
  /** The session, touched. */
  readonly session: SessionRecord;
  /** Unpins early (it happens anyway when the response closes). Idempotent; never rejects. */
  release(): Promise<void>;
}

/**
 * Session hooks for servers that keep their own routing around the SDK's `SSEServerTransport`.
 * Both hooks answer failures themselves (JSON-RPC bodies, see the HTTP answers) and then
 * resolve to `undefined`: the caller just returns.
 */
export interface SseHooks {
  /**
   * Registers a new stream's session (the transport's fixed ID, kind `'sse'`, the request's
   * owner) and manages it: the open stream pins the session, `: keepalive` frames go out while
   * it is open, and when the session ends for any reason the transport and the server are
   * closed (the stream ends; a session that ends before its stream opened answers the `GET`
   * with the 404 of an ended session). Call it before `server.connect(transport)`; if
   * connecting fails, answer the request, then end the session with `manager.end(id)`.
   *
   * Answers 503 + `Retry-After` at capacity or when the store is unavailable (nothing is
   * registered then), and resolves to `undefined`.
   */
  attach(options: SseAttachOptions): Promise<SessionRecord | undefined>;
  /**
   * Admits a `POST /messages?sessionId=...`: answers 400 (missing or malformed ID, session of
   * another transport), 404 (`SESSION_EXPIRED` with the reason, or `SESSION_NOT_FOUND` for
   * unknown IDs and other owners' sessions) or 503 (store unavailable) and resolves to
   * `undefined`; otherwise touches the session and pins it until `res` closes.
   *
   * @param parsedBody the body, when already parsed (else `req.body`), to echo its JSON-RPC `id`.
   */
  admit(
    req: SseRequest,
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<SseAdmission | undefined>;
}

/**
 * Creates the {@link SseHooks} of a manager.
 *
 * @throws SessionError `INVALID_OPTION` naming the field, the value and the accepted range.
 * @example
 * ```ts
 * const hooks = createSseHooks(sessions);
 * app.get('/sse', async (req, res) => {
 *   const transport = new SSEServerTransport('/messages', res);
 *   const server = buildServer();
 *   if (!(await hooks.attach({ transport, req, res, server }))) return;
 *   transports.set(transport.sessionId, transport);
 *   sessions.onEnd(transport.sessionId, () => transports.delete(transport.sessionId));
 *   await server.connect(transport);
 * });
 * app.post('/messages', async (req, res) => {
 *   const admitted = await hooks.admit(req, res);
 *   if (!admitted) return;
 *   await transports.get(admitted.session.id)?.handlePostMessage(req, res, req.body);
 * });
 * ```
 */
export function createSseHooks(manager: SessionManager, options: SseHooksOptions = {}): SseHooks {
  return hooksFor(manager, resolveSseHooksOptions(options));
}

/** {@link createSseHooks} with options already resolved. */
export function hooksFor(manager: SessionManager, options: ResolvedSseHooksOptions): SseHooks {
  const { keepAliveMs, ownerOf, retryAfterSeconds } = options;

  const answer = (res: ServerResponse, reply: HttpAnswer): undefined => {
    writeNodeAnswer(res, reply);
    return undefined;
  };

  return {
    async attach({ transport, req, res, server }) {
      const id = transport.sessionId;
      const owner = ownerOf(req);
      let registered = false;
      let lease: Awaited<ReturnType<SessionManager['acquire']>>;
      try {
        await manager.register(id, { owner, kind: SSE_SESSION_KIND });
        registered = true;
        lease = await manager.acquire(id, { owner });
      } catch (error) {
        if (registered) await manager.end(id, 'closed').catch(() => undefined);
        return answer(res, answerForError(error, null, retryAfterSeconds));
      }
      if (lease.status !== 'active') return answer(res, answerForResolution(lease)!);

      const stopKeepAlive = keepAliveMs > 0 ? startKeepAlive(res, keepAliveMs) : undefined;
      let streamOpen = true;
      const streamClosed = () => {
        if (!streamOpen) return;
        streamOpen = false;
        stopKeepAlive?.();
        void lease.release();
      };
      manager.onEnd(id, async (info) => {
        streamClosed();
        await transport.close();
        // Ended before the stream opened: tell the client why instead of an empty 200.
        if (!res.headersSent) writeNodeAnswer(res, sessionNotFound(info));
        else if (!res.writableEnded) res.end();
        await server?.close();
      });
      if (res.destroyed) streamClosed();
      else res.once('close', streamClosed);
      return lease.session;
    },

    async admit(req, res, parsedBody) {
      const requestId = requestIdOf(parsedBody ?? req.body);
      const id = sessionIdOf(req.url);
      if (id === null) {
        return answer(
          res,
          badRequest(
            `Missing \`${SESSION_ID_PARAM}\` query parameter: post to the endpoint announced on the SSE stream.`,
            requestId,
          ),
        );
      }
      if (!isValidSessionId(id)) {
        return answer(
          res,
          badRequest(
            `Invalid \`${SESSION_ID_PARAM}\`: expected 1 to 256 visible ASCII characters (0x21–0x7E).`,
            requestId,
          ),
        );
      }
      const owner = ownerOf(req);
      let lease: Awaited<ReturnType<SessionManager['acquire']>>;
      try {
        lease = await manager.acquire(id, { owner });
      } catch (error) {
        return answer(res, answerForError(error, requestId, retryAfterSeconds));
      }
      if (lease.status !== 'active') return answer(res, answerForResolution(lease, requestId)!);
      if (lease.session.kind !== SSE_SESSION_KIND) {
        void lease.release();
        return answer(res, wrongSessionKind(SSE_SESSION_KIND, lease.session.kind, requestId));
      }
      if (res.destroyed) void lease.release();
      else res.once('close', lease.release);
      return lease;
    },
  };
}
