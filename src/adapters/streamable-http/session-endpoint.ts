import { noop, runBefore } from '../../core/functions.js';
import { maskSessionId } from '../../core/logger.js';
import type { Acquisition, CreateSessionOptions } from '../../core/manager-types.js';
import { isValidSessionId } from '../../core/session-id.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';
import { requestIdOf, SESSION_ID_HEADER } from '../../protocol.js';
import {
  answerForResolution,
  malformedSessionHeader,
  methodNotAllowed,
  shuttingDown,
  wrongSessionKind,
} from '../shared/answers.js';
import type { AuthInfo } from '../shared/auth-info.js';
import { refusedByGuard, refusedPostAccept } from '../shared/guard.js';
import { LocalSessions } from '../shared/registry.js';
import { storedInitialize } from '../shared/stored-init.js';
import type { Served } from './doors.js';
import { StreamableFleet } from './fleet.js';
import { IdleTrim } from './idle-trim.js';
import {
  type ResolvedStreamableHttpOptions,
  STREAMABLE_HTTP_KIND,
  STREAMABLE_HTTP_METHODS,
} from './options.js';
import { InitializeReplayError, refusedReplay, replayInitialize } from './replay.js';
import type { HandleOptions, StreamableSdk } from './sdk.js';
import {
  buildTransport,
  handleOptions,
  type LocalTransport as Local,
} from './session-transport.js';
import { answerWithoutSession } from './sessionless.js';

/**
 * The sessionful part of a Streamable HTTP handler, bound to one SDK: one transport and one
 * server per session, created on `initialize`, restored from the stored `initialize` on any
 * replica, closed when the session ends. Serves requests whose body the door already parsed;
 * see the handlers for the behaviour. Internal.
 */
export class SessionEndpoint {
  readonly #options: ResolvedStreamableHttpOptions;
  readonly #sdk: StreamableSdk;
  readonly #local: LocalSessions<Local>;
  readonly #restoring = new Map<string, Promise<Local>>();
  readonly #fleet: StreamableFleet | undefined;
  readonly #idle: IdleTrim<Local> | undefined;
  #closed = false;

  constructor(options: ResolvedStreamableHttpOptions, sdk: StreamableSdk) {
    const o = options;
    this.#options = o;
    this.#sdk = sdk;
    this.#local = new LocalSessions(o.logger);
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

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes every transport and server held here, without ending their sessions. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#idle?.stop();
    await this.#fleet?.close();
    await Promise.allSettled([...this.#restoring.values()]);
    await this.#local.disposeAll();
  }

  /** Lets go of transports idle here for `localIdleMs`; answers how many. Never rejects. */
  trim(): Promise<number> {
    return this.#idle?.trim() ?? Promise.resolve(0);
  }

  /**
   * Serves one request of the sessionful (2025-era) protocol; an `initialize` creates its session
   * from the client at `address` (see `creationRate.perAddress`). Never rejects.
   */
  async serve(
    request: Request,
    body: unknown,
    authInfo: AuthInfo | undefined,
    address: string | undefined,
  ): Promise<Served> {
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
      if (method === 'POST' && this.#sdk.isInitializeRequest(body)) {
        const unacceptable = refusedPostAccept(headers.get('accept'));
        if (unacceptable !== undefined) return { answer: unacceptable };
        const init = body as JsonValue;
        return this.#initialize(request, init, { owner, address }, handleOptions(body, authInfo));
      }
      const supported = this.#sdk.supportedVersions;
      return { answer: answerWithoutSession(request, body, rpcId, supported) };
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
    { owner, address }: Pick<CreateSessionOptions, 'owner' | 'address'>,
    options: HandleOptions,
  ): Promise<Served> {
    const sessions = this.#options.sessions;
    let session: SessionRecord;
    try {
      session = await sessions.create({ owner, address, kind: STREAMABLE_HTTP_KIND, init });
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
    const { transport, eventStore } = buildTransport(
      this.#sdk,
      session,
      this.#options,
      (closedId) => this.#deleted(closedId),
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
