import type { ServerResponse } from 'node:http';
import { noop } from '../../core/functions.js';
import type { Acquisition, CreateSessionOptions, Lease } from '../../core/manager-types.js';
import { isValidSessionId } from '../../core/session-id.js';
import type { EndReason, SessionRecord } from '../../core/types.js';
import { type HttpAnswer, requestIdOf } from '../../protocol.js';
import {
  answerForError,
  answerForResolution,
  badRequest,
  wrongSessionKind,
} from '../shared/answers.js';
import { clientAddressOf, type NodeRequest, writeNodeAnswer } from '../shared/node-bridge.js';
import type { ResolvedGateOptions } from '../shared/options.js';
import { ownerOfNode } from '../shared/owner.js';
import { startKeepAlive } from './keep-alive.js';
import { resolveSseGateOptions, SSE_KIND, type SseGateOptions } from './options.js';
import { nodeSink, type StreamSink } from './stream.js';
import { SESSION_ID_PARAM, sessionIdOf } from './url.js';

/** What {@link SseGate.attach} needs of the SDK's `SSEServerTransport`. */
export interface SseTransportLike {
  readonly sessionId: string;
  close(): Promise<void>;
}

/** What {@link SseGate.attach} needs to put a new stream under session management. */
export interface SseAttachOptions {
  /** The transport, built for `res` and not yet started (connect the server after attaching). */
  transport: SseTransportLike;
  /**
   * The `GET` request that opens the stream: its owner binds the session, its client address
   * (`req.ip`, else the socket's) is counted by `creationRate.perAddress`.
   */
  req: NodeRequest;
  /** The stream's response. */
  res: ServerResponse;
  /** The session's server, closed when the session ends. @default none */
  server?: { close(): Promise<void> } | undefined;
}

/** A `POST` admitted to a live session; the session stays pinned until the response closes. */
export interface SseAdmission {
  /** The session, touched. */
  readonly session: SessionRecord;
  /** Unpins early (it happens anyway when the response closes). Idempotent; never rejects. */
  release(): Promise<void>;
}

/** A stream put under session management. */
export interface AttachedStream {
  readonly session: SessionRecord;
  /**
   * Lets go of the stream without ending its session: detaches the end hook and the stream's
   * close listener (its closing no longer ends the session), stops the keep-alive and unpins the
   * session. Idempotent.
   */
  detach(): Promise<void>;
  /**
   * Drops the stream with what it buffered (its client fell too far behind) and ends the session
   * with reason `'closed'`. Idempotent.
   */
  overflow(): void;
  /**
   * Ends the stream gracefully (it was open longer than `maxStreamDurationMs`) and its session
   * with reason `'closed'`. Idempotent.
   */
  expire(): void;
}

/**
 * Sessions for servers that keep their own routing and their own `Map` of the SDK's
 * `SSEServerTransport`s. Both methods answer failures themselves (JSON-RPC bodies, the same as
 * the complete handler's) and then resolve to `undefined`: the caller just returns.
 *
 * @example
 * ```ts
 * const gate = new SseGate({ sessions });
 * app.get('/sse', async (req, res) => {
 *   const transport = new SSEServerTransport('/messages', res);
 *   const server = buildServer();
 *   if (!(await gate.attach({ transport, req, res, server }))) return;
 *   transports.set(transport.sessionId, transport);
 *   sessions.onEnd(transport.sessionId, () => transports.delete(transport.sessionId));
 *   await server.connect(transport);
 * });
 * app.post('/messages', async (req, res) => {
 *   const admitted = await gate.admit(req, res);
 *   if (!admitted) return;
 *   await transports.get(admitted.session.id)?.handlePostMessage(req, res, req.body);
 * });
 * ```
 */
export class SseGate {
  readonly #options: ResolvedGateOptions;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: SseGateOptions) {
    this.#options = resolveSseGateOptions(options);
  }

  /**
   * Registers a new stream's session (the transport's fixed ID, kind `'sse'`, the request's
   * owner) and manages it. The ID is the transport's: the SDK's `SSEServerTransport` picks its
   * own `randomUUID()` and offers no way to choose it, so the manager's `generateId` does not
   * name these sessions (the complete `SseHandler` honours it). Then: the open stream pins the
   * session, `: keepalive` frames go out while it is open, and when the session ends for any reason the transport and the server are
   * closed (the stream ends; a session that ends before its stream opened answers the `GET`
   * with the 404 of an ended session). Legacy SSE has no resumption (the SDK transport cannot
   * serve its ID once its stream is gone), so when the stream closes the session ends at once
   * with reason `'deleted'`, fleet-wide on a shared store: its capacity slot frees and later
   * `POST`s naming it answer 404 `SESSION_EXPIRED`. Call it before `server.connect(transport)`; if
   * connecting fails, answer the request, then end the session with `sessions.end(id)`.
   *
   * Answers 503 + `Retry-After` at capacity or when the store is unavailable, 429 +
   * `Retry-After` when the owner holds `maxSessionsPerOwner` sessions or the owner or client
   * address is past `creationRate` (nothing is registered then), 400 for a transport ID the manager refuses or a `Host` that forms no URL
   * (read only for a custom `ownerOf`), 500 when `ownerOf` throws, and resolves to `undefined`.
   * Never rejects.
   */
  async attach(options: SseAttachOptions): Promise<SessionRecord | undefined> {
    const { req, transport, res, server } = options;
    let owner: string | undefined;
    try {
      owner = ownerOfNode(this.#options.ownerOf, req);
    } catch (error) {
      return answer(res, answerForError(error, null, this.#options.retryAfterSeconds));
    }
    const creator = { owner, address: clientAddressOf(req) };
    return (await attachStream(this.#options, creator, { transport, sink: nodeSink(res), server }))
      ?.session;
  }

  /**
   * Admits a `POST /messages?sessionId=...`: answers 400 (missing or malformed ID, a session of
   * another transport), 404 (`SESSION_EXPIRED` with the reason, or `SESSION_NOT_FOUND` for
   * unknown IDs and other owners' sessions), 500 (`ownerOf` threw) or 503 (store unavailable)
   * and resolves to `undefined`; otherwise touches the session and pins it until `res` closes.
   * Never rejects.
   *
   * @param parsedBody the body, when already parsed (else `req.body`), to echo its JSON-RPC `id`.
   */
  async admit(
    req: NodeRequest,
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<SseAdmission | undefined> {
    const body = parsedBody ?? req.body;
    let owner: string | undefined;
    try {
      owner = ownerOfNode(this.#options.ownerOf, req);
    } catch (error) {
      return answer(res, answerForError(error, requestIdOf(body), this.#options.retryAfterSeconds));
    }
    const admitted = await admitMessage(this.#options, owner, req.url, body);
    if ('answer' in admitted) return answer(res, admitted.answer);
    if (res.destroyed) void admitted.release();
    else res.once('close', admitted.release);
    return admitted;
  }
}

function answer(res: ServerResponse, reply: HttpAnswer): undefined {
  writeNodeAnswer(res, reply);
  return undefined;
}

/** What {@link attachStream} needs: the transport, where its stream goes, the server. */
export interface StreamParts {
  readonly transport: SseTransportLike;
  readonly sink: StreamSink;
  readonly server?: { close(): Promise<void> } | undefined;
}

/**
 * The end reason of a session whose client closed its stream: closing the stream is how a legacy
 * SSE client ends its session, the `DELETE` of this transport.
 */
export const STREAM_CLOSED_REASON = 'deleted' satisfies EndReason;

/** Who opens a stream: the owner its session is bound to, the client address it is counted for. */
export type StreamCreator = Pick<CreateSessionOptions, 'owner' | 'address'>;

/**
 * {@link SseGate.attach} for a stream of `creator`, on any sink: refusals go to `sink.refuse` and
 * answer `undefined`; else answers how to let go of the stream without ending its session.
 */
export async function attachStream(
  options: ResolvedGateOptions,
  creator: StreamCreator,
  parts: StreamParts,
): Promise<AttachedStream | undefined> {
  const lease = await openSession(options, creator, parts.transport.sessionId, (answer) =>
    parts.sink.refuse(answer),
  );
  return lease === undefined ? undefined : manageStream(options, lease, parts);
}

/**
 * Makes the session of a new stream of `creator`, pinned by the stream: registered under `id`, or
 * named by the manager's `generateId` when `id` is `undefined`. A refusal (capacity, owner
 * quota, creation rate, store unavailable, an ID the manager refuses) goes to `refuse` and
 * answers `undefined`; nothing is left registered then.
 */
export async function openSession(
  options: ResolvedGateOptions,
  { owner, address }: StreamCreator,
  id: string | undefined,
  refuse: (answer: HttpAnswer) => void,
): Promise<Lease | undefined> {
  const { sessions, retryAfterSeconds } = options;
  let registered: string | undefined;
  let lease: Acquisition;
  try {
    const session =
      id === undefined
        ? await sessions.create({ owner, address, kind: SSE_KIND })
        : await sessions.register(id, { owner, address, kind: SSE_KIND });
    registered = session.id;
    lease = await sessions.acquire(session.id, { owner });
  } catch (error) {
    if (registered !== undefined) await sessions.end(registered, 'closed').catch(noop);
    refuse(answerForError(error, null, retryAfterSeconds));
    return undefined;
  }
  if (lease.status !== 'active') {
    refuse(answerForResolution(lease));
    return undefined;
  }
  return lease;
}

/**
 * Puts the stream of the pinned session `lease` under management (keep-alive, end hook, the
 * stream's close ending the session); answers how to let go of it.
 */
export function manageStream(
  options: ResolvedGateOptions,
  lease: Lease,
  { transport, sink, server }: StreamParts,
): AttachedStream {
  const { sessions, keepAliveMs } = options;
  const id = lease.session.id;
  const stopKeepAlive =
    keepAliveMs > 0 ? startKeepAlive(() => sink.keepAlive(), keepAliveMs) : undefined;
  let released: Promise<void> | undefined;
  const streamClosed = (): Promise<void> => {
    if (released === undefined) {
      stopKeepAlive?.();
      released = lease.release();
    }
    return released;
  };
  const unsubscribe = sessions.onEnd(id, async (info) => {
    void streamClosed();
    await transport.close();
    sink.ended(info);
    await server?.close();
  });
  // Legacy SSE has no resumption: the session ID lives only for its stream, so a stream the
  // client closed ends its session (fleet-wide on a shared store) as a DELETE would.
  const clientLeft = (): void => {
    void streamClosed();
    void sessions.end(id, STREAM_CLOSED_REASON).catch(noop);
  };
  let offClose = noop;
  if (sink.closed) clientLeft();
  else offClose = sink.onClose(clientLeft);
  let dropped = false;
  return {
    session: lease.session,
    detach() {
      unsubscribe();
      offClose();
      return streamClosed();
    },
    overflow() {
      if (dropped) return;
      dropped = true;
      offClose();
      sink.abort();
      void streamClosed();
      void sessions.end(id, 'closed').catch(noop);
    },
    expire() {
      if (dropped) return;
      dropped = true;
      offClose();
      void streamClosed();
      // The end hook ends the stream; should the end fail, the stream is ended anyway.
      void sessions
        .end(id, 'closed')
        .catch(noop)
        .then(() => transport.close())
        .catch(noop);
    },
  };
}

/**
 * {@link SseGate.admit} for a request of `owner` to `target` (its URL or path and query) with
 * `body`: the refusal, or the touched and pinned session (release it once answered).
 */
export async function admitMessage(
  options: ResolvedGateOptions,
  owner: string | undefined,
  target: string | undefined,
  body: unknown,
): Promise<{ readonly answer: HttpAnswer } | SseAdmission> {
  const requestId = requestIdOf(body);
  const id = sessionIdOf(target);
  if (id === null) {
    return {
      answer: badRequest(
        `Missing \`${SESSION_ID_PARAM}\` query parameter: post to the endpoint announced on the SSE stream.`,
        requestId,
      ),
    };
  }
  if (!isValidSessionId(id)) {
    return {
      answer: badRequest(
        `Invalid \`${SESSION_ID_PARAM}\`: expected 1 to 256 visible ASCII characters (0x21–0x7E).`,
        requestId,
      ),
    };
  }
  let lease: Acquisition;
  try {
    lease = await options.sessions.acquire(id, { owner });
  } catch (error) {
    return { answer: answerForError(error, requestId, options.retryAfterSeconds) };
  }
  if (lease.status !== 'active') return { answer: answerForResolution(lease, requestId) };
  if (lease.session.kind !== SSE_KIND) {
    void lease.release();
    return { answer: wrongSessionKind(lease.session.kind, SSE_KIND, requestId) };
  }
  return lease;
}
