import type { ServerResponse } from 'node:http';
import { isValidSessionId } from '../../core/session-id.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';
import { type HttpAnswer, requestIdOf, SESSION_ID_HEADER } from '../../protocol.js';
import {
  answerForError,
  answerForResolution,
  malformedSessionHeader,
  methodNotAllowed,
  wrongSessionKind,
} from '../shared/answers.js';
import { countMistake } from '../shared/client-mistakes.js';
import { refusedByGuard, refusedPostAccept } from '../shared/guard.js';
import {
  checkRequestUrl,
  clientAddressOf,
  type NodeRequest,
  writeNodeAnswer,
} from '../shared/node-bridge.js';
import { ownerOfNode } from '../shared/owner.js';
import { PROTOCOL_VERSION_HEADER, sessionlessAnswer } from '../shared/protocol-version.js';
import {
  type ResolvedStreamableHttpGateOptions,
  resolveGateOptions,
  STREAMABLE_HTTP_KIND,
  STREAMABLE_HTTP_METHODS,
  type StreamableHttpGateOptions,
} from './options.js';
import type { StreamableSdk } from './sdk.js';

/** What {@link Admission.transportOptions} needs of the SDK transport options it extends. */
export interface GateTransportOptions {
  /** Called when the client sends `DELETE`; the gate ends the session first. */
  onsessionclosed?: ((sessionId: string) => void | Promise<void>) | undefined;
}

/** A request the gate let through, for a live session. */
export interface Admission<O extends GateTransportOptions = GateTransportOptions> {
  /** The session's ID (for `initialize`, the ID just registered). */
  readonly sessionId: string;
  /** `true` for an `initialize` request: build a transport and a server for it. */
  readonly isNew: boolean;
  /** The session record, as it was when admitted. */
  readonly session: SessionRecord;
  /** The request's JSON body: pass it to `transport.handleRequest(req, res, body)`. */
  readonly body: unknown;
  /**
   * Options for this session's new transport: `sessionIdGenerator` (the registered ID),
   * `onsessionclosed` (a client DELETE ends the session with reason `deleted`) and `keepAliveMs`,
   * over `extra` (your `onsessioninitialized`, `eventStore`, ...).
   */
  transportOptions<T extends O>(extra?: T): T;
  /**
   * Closes `server` and `transport` when the session ends for any reason (idle, lifetime,
   * DELETE, eviction, shutdown), then calls `onClosed` (drop it from your map there). Call it
   * before `server.connect(transport)`. Answers a function that detaches the hook.
   */
  closeOnEnd(
    transport: { close(): Promise<void> },
    server?: { close(): Promise<void> },
    onClosed?: () => void,
  ): () => void;
}

/**
 * Sessions for servers that keep their own routing and their own `Map` of SDK transports. Per
 * request, {@link StreamableHttpGate.admit} answers what the SDK gets wrong (400 without a
 * session header, or the spec's unsupported-protocol-version error `-32022` for a request of a
 * later protocol such as SDK v2's `server/discover` probe; 404 `SESSION_EXPIRED` /
 * `SESSION_NOT_FOUND`, 503 with `Retry-After`), registers
 * a session for `initialize` before any transport exists, and pins the session until the
 * response has finished.
 *
 * @example
 * ```ts
 * const gate = new StreamableHttpGate({ sessions });
 * const transports = new Map<string, StreamableHTTPServerTransport>();
 * app.all('/mcp', express.json(), async (req, res) => {
 *   const pass = await gate.admit(req, res);
 *   if (pass === undefined) return; // answered 400 / 404 / 503
 *   let transport = transports.get(pass.sessionId);
 *   if (transport === undefined) {
 *     transport = new StreamableHTTPServerTransport(pass.transportOptions());
 *     transports.set(pass.sessionId, transport);
 *     const server = buildServer();
 *     pass.closeOnEnd(transport, server, () => transports.delete(pass.sessionId));
 *     await server.connect(transport);
 *   }
 *   await transport.handleRequest(req, res, pass.body);
 * });
 * ```
 */
export class StreamableHttpGateBase<O extends GateTransportOptions = GateTransportOptions> {
  readonly #options: ResolvedStreamableHttpGateOptions;
  readonly #sdk: StreamableSdk;

  /**
   * @param sdk the SDK whose `initialize` and protocol versions the gate recognises.
   * @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted.
   */
  constructor(options: StreamableHttpGateOptions, sdk: StreamableSdk) {
    this.#options = resolveGateOptions(options);
    this.#sdk = sdk;
  }

  /**
   * Admits a request or answers it. The body is `parsedBody`, else `req.body`; the gate does not
   * read the request stream (parse JSON first, e.g. with `express.json()`). Resolves `undefined`
   * when it answered; never rejects. Client mistakes are answered before the store is asked:
   * a method other than `GET`, `POST` and `DELETE` answers 405 with `Allow`, a `Host` that
   * forms no URL 400, a `Host` or `Origin` that DNS rebinding protection refuses 403, an
   * `initialize` whose `Accept` lacks `application/json` or `text/event-stream` 406. An
   * `ownerOf` or store that throws answers 500 or 503. An `initialize` past `maxSessionsPerOwner`
   * or `creationRate` (per owner, or per client address: `req.ip`, else the socket's) answers 429
   * with `Retry-After`. A client that went away while the store was asked resolves `undefined`
   * too: its session is released (a new one ended, `closed`).
   */
  async admit(
    req: NodeRequest,
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<Admission<O> | undefined> {
    const body = parsedBody === undefined ? req.body : parsedBody;
    const rpcId = req.method === 'POST' ? requestIdOf(body) : null;
    const answer = (reply: HttpAnswer): undefined => {
      writeNodeAnswer(res, countMistake(this.#options.sessions, reply));
      return undefined;
    };
    const sessions = this.#options.sessions;
    // Listened for from the start: a client can leave while its request waits on the store.
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    const method = req.method ?? 'GET';
    if (!STREAMABLE_HTTP_METHODS.includes(method)) {
      return answer(methodNotAllowed(STREAMABLE_HTTP_METHODS));
    }
    try {
      checkRequestUrl(req);
      const refused = refusedByGuard(this.#options.guard, req.headers.host, req.headers.origin);
      if (refused !== undefined) return answer(refused);
      const owner = ownerOfNode(this.#options.ownerOf, req);
      const header = req.headers[SESSION_ID_HEADER];
      if (header === undefined) {
        if (req.method !== 'POST' || !this.#sdk.isInitializeRequest(body)) {
          const version = req.headers[PROTOCOL_VERSION_HEADER];
          const supported = this.#sdk.supportedVersions;
          return answer(sessionlessAnswer(req.method, version, body, supported, rpcId));
        }
        const unacceptable = refusedPostAccept(req.headers.accept);
        if (unacceptable !== undefined) return answer(unacceptable);
        const session = await sessions.create({
          owner,
          address: clientAddressOf(req),
          kind: STREAMABLE_HTTP_KIND,
          init: body as JsonValue,
        });
        if (gone) {
          await sessions.end(session.id, 'closed');
          return undefined;
        }
        res.once('close', () => {
          if (res.statusCode !== 200) {
            sessions.end(session.id, 'closed').catch(() => undefined);
          }
        });
        return this.#admission(session, true, body);
      }
      if (typeof header !== 'string' || !isValidSessionId(header)) {
        return answer(malformedSessionHeader(rpcId));
      }
      const lease = await sessions.acquire(header, { owner });
      if (lease.status !== 'active') return answer(answerForResolution(lease, rpcId));
      if (lease.session.kind !== STREAMABLE_HTTP_KIND) {
        await lease.release();
        return answer(wrongSessionKind(lease.session.kind, STREAMABLE_HTTP_KIND, rpcId));
      }
      if (gone) {
        await lease.release();
        return undefined;
      }
      res.once('close', () => void lease.release());
      return this.#admission(lease.session, false, body);
    } catch (error) {
      return answer(answerForError(error, rpcId, this.#options.retryAfterSeconds));
    }
  }

  #admission(record: SessionRecord, isNew: boolean, body: unknown): Admission<O> {
    const { sessions, keepAliveMs } = this.#options;
    const sessionId = record.id;
    return {
      sessionId,
      isNew,
      session: record,
      body,
      transportOptions<T extends O>(extra?: T): T {
        return {
          ...extra,
          sessionIdGenerator: () => sessionId,
          onsessionclosed: async (closedId: string) => {
            await sessions.end(closedId, 'deleted');
            await extra?.onsessionclosed?.(closedId);
          },
          keepAliveMs,
        } as unknown as T;
      },
      closeOnEnd(transport, server, onClosed) {
        return sessions.onEnd(sessionId, async () => {
          try {
            await server?.close();
            await transport.close();
          } finally {
            onClosed?.();
          }
        });
      },
    };
  }
}
