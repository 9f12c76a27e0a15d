import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SseHandler, type SseHandlerOptions } from '../../src/adapters/sse/index.js';
import {
  type ServerFactory,
  StreamableHttpHandler,
  type StreamableHttpHandlerOptions,
} from '../../src/adapters/streamable-http/index.js';
import {
  StreamableHttpHandler as V2Handler,
  type V2HandlerOptions,
} from '../../src/adapters/v2/index.js';
import { HandleKind, type HandleKindOptions } from '../../src/handles/index.js';
import {
  maskSessionId,
  type SessionCounters,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
} from '../../src/index.js';
import { authenticate } from './auth.js';
import type { DemoSdk } from './config.js';
import { createDemoServer } from './tools.js';
import { createDemoServerV2 } from './tools-v2.js';

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /**
   * Which SDK serves `/mcp`. `v2`: the `mcp-sessions/v2` handler, serving 2026-07-28 clients
   * without sessions (`echo` and `sleep`) and 2025 clients with sessions (every tool, see
   * {@link createDemoServerV2}); `createServer` and `handlerOptions` then apply to `/sse` only.
   * `/sse` stays on SDK v1. @default 'v1'
   */
  sdk?: DemoSdk;
  /** Extra options of the v2 handler (with `sdk: 'v2'`: `relay`, `ownerOf`, ...). @default {} */
  v2HandlerOptions?: Omit<V2HandlerOptions, 'sessions' | 'createServer'>;
  /** TCP port on 127.0.0.1; `0` picks a free one. @default 3000 */
  port?: number;
  /** A manager to use (the caller closes it). @default a new one from `managerOptions` */
  sessions?: SessionManager;
  /** Options of the manager made when `sessions` is not given. @default {} */
  managerOptions?: SessionManagerOptions;
  /**
   * Builds each session's server, on both transports. @default {@link createDemoServer} with
   * the manager, so `counter` keeps its count in the session's data
   */
  createServer?: ServerFactory;
  /** Extra options of the Streamable HTTP handler (`keepAliveMs`, `ownerOf`, ...). @default {} */
  handlerOptions?: Omit<StreamableHttpHandlerOptions, 'sessions' | 'createServer'>;
  /** Extra options of the legacy SSE handler. @default {} */
  sseHandlerOptions?: Omit<SseHandlerOptions, 'sessions' | 'createServer'>;
  /** Where session creation and ends are logged; `null` for silence. @default console */
  log?: ((line: string) => void) | null;
  /**
   * Bearer tokens and their users (token to user, e.g. from `parseAuthTokens`). When given,
   * `/mcp`, `/sse` and `/messages` answer 401 with `WWW-Authenticate: Bearer` to a request
   * without one of these tokens, and the request's `AuthInfo` is `DEMO_CLIENT_ID` with the
   * user as subject (`extra.sub`): the default owner keeps users apart. `/healthz` stays open.
   * @default none: no authentication
   */
  authTokens?: ReadonlyMap<string, string> | undefined;
  /**
   * Options of the baskets (state handles `bsk_…`, closed with the demo) whose tools the
   * default servers offer: TTLs, quota, store. @default 30 minutes idle, 100 per user, in memory
   */
  basketOptions?: Omit<HandleKindOptions, 'name' | 'prefix'>;
}

/** A running demo server. */
export interface DemoServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The Streamable HTTP endpoint: `${url}/mcp`. */
  readonly mcpUrl: string;
  readonly sessions: SessionManager;
  /** The baskets whose tools the default servers offer. */
  readonly baskets: HandleKind<string[]>;
  /** The `/mcp` handler: SDK v1's, or with `sdk: 'v2'` the `mcp-sessions/v2` one. */
  readonly handler: StreamableHttpHandler | V2Handler;
  readonly legacy: SseHandler;
  readonly http: HttpServer;
  /** Ends the sessions (reason `shutdown`, when the demo made the manager) and stops listening. */
  close(): Promise<void>;
}

/**
 * What `GET /healthz` answers: the manager's stats (`live` and `tombstones` fleet-wide with a
 * shared store, the rest for this process), its counters, and the transports open in this process.
 */
export interface DemoHealth {
  readonly live: number;
  readonly tombstones: number;
  readonly pinned: number;
  readonly attached: number;
  readonly created: number;
  readonly ended: Readonly<Record<string, number>>;
  /** Bytes of the live sessions' stored `initialize` requests (memory store only). */
  readonly initBytes: number | undefined;
  /** This process's counters: `sessions.counters()`. */
  readonly counters: SessionCounters;
  /** Sessions with a transport and server in this process, by transport. */
  readonly transports: { readonly streamableHttp: number; readonly sse: number };
}

/**
 * Starts the demo server on 127.0.0.1: `/mcp` (Streamable HTTP), `/sse` + `/messages` (legacy
 * SSE) on one session table, and `GET /healthz` ({@link DemoHealth}; 503 with the error while
 * the store fails). Other paths answer 404. Rejects when the port cannot be bound.
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const log = options.log === undefined ? (line: string) => console.log(line) : options.log;
  const ownsSessions = options.sessions === undefined;
  const sessions = options.sessions ?? new SessionManager(options.managerOptions ?? {});
  const unsubscribe = [
    sessions.on('created', (session) =>
      log?.(`session ${maskSessionId(session.id)} created (${session.kind ?? 'no kind'})`),
    ),
    sessions.on('ended', ({ id, reason }) =>
      log?.(`session ${maskSessionId(id)} ended: ${reason}`),
    ),
  ];
  const baskets = new HandleKind<string[]>({
    name: 'basket',
    prefix: 'bsk',
    ...options.basketOptions,
  });
  const createServer =
    options.createServer ??
    ((session: SessionRecord) => createDemoServer(session, sessions, baskets));
  const handler =
    options.sdk === 'v2'
      ? new V2Handler({
          ...options.v2HandlerOptions,
          sessions,
          createServer: ({ session }) => createDemoServerV2(session, sessions, baskets),
        })
      : new StreamableHttpHandler({ ...options.handlerOptions, sessions, createServer });
  const legacy = new SseHandler({ ...options.sseHandlerOptions, sessions, createServer });

  const authTokens = options.authTokens;
  const http = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const guarded = path === '/mcp' || path === '/sse' || path === '/messages';
    if (guarded && authTokens !== undefined && !authenticate(authTokens, req, res)) return;
    if (path === '/mcp') {
      void handler.node(req, res);
      return;
    }
    if (path === '/sse' || path === '/messages') {
      void legacy.node(req, res);
      return;
    }
    if (path === '/healthz' && req.method === 'GET') {
      sessions.stats().then(
        (stats) => {
          const transports = { streamableHttp: handler.size, sse: legacy.size };
          const health: DemoHealth = { ...stats, counters: sessions.counters(), transports };
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(health));
        },
        (error: unknown) => {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ error: error instanceof Error ? error.message : String(error) }),
          );
        },
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 3000, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    mcpUrl: `${url}/mcp`,
    sessions,
    baskets,
    handler,
    legacy,
    http,
    close() {
      closing ??= (async () => {
        if (ownsSessions) await sessions.close();
        await baskets.close();
        await Promise.all([handler.close(), legacy.close()]);
        for (const off of unsubscribe) off();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
