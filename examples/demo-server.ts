/**
 * The demo MCP server behind `npm start`: Streamable HTTP at `/mcp` and legacy HTTP+SSE at `/sse` +
 * `/messages`, on one session table; `GET /healthz` with the session stats; tools `echo`, `sleep`
 * and `counter`.
 *
 * Configuration (flags win over the environment):
 * - `--port` / `PORT` (default 3000), always on 127.0.0.1;
 * - `--idle-ttl-ms` / `MCP_SESSION_IDLE_TTL_MS` (default 30 minutes);
 * - `--sweep-ms` / `MCP_SESSION_SWEEP_MS` (default a quarter of the idle TTL);
 * - `--auth-tokens` / `MCP_DEMO_TOKENS`: comma-separated `token=user` pairs (see
 *   {@link parseAuthTokens}); when set, `/mcp`, `/sse` and `/messages` need
 *   `Authorization: Bearer <token>`, and each user's sessions answer only to that user;
 * - `REDIS_URL`: keep sessions in Redis instead of memory.
 */
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { SseHandler } from '../src/adapters/sse/index.js';
import {
  type ServerFactory,
  StreamableHttpHandler,
  type StreamableHttpHandlerOptions,
} from '../src/adapters/streamable-http/index.js';
import {
  maskSessionId,
  SessionError,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
  type SessionStore,
} from '../src/index.js';

/** The longest `sleep` the demo accepts, in ms. */
export const MAX_SLEEP_MS = 600_000;

/**
 * The OAuth client ID of every demo token: one client app for all users, so only the token's
 * subject (the user) keeps their sessions apart.
 */
export const DEMO_CLIENT_ID = 'mcp-sessions-demo';

/** Options of {@link startDemoServer}. */
export interface DemoServerOptions {
  /** TCP port on 127.0.0.1; `0` picks a free one. @default 3000 */
  port?: number;
  /** A manager to use (the caller closes it). @default a new one from `managerOptions` */
  sessions?: SessionManager;
  /** Options of the manager made when `sessions` is not given. @default {} */
  managerOptions?: SessionManagerOptions;
  /** Builds each session's server, on both transports. @default {@link createDemoServer} */
  createServer?: ServerFactory;
  /** Extra options of the Streamable HTTP handler (`keepAliveMs`, `ownerOf`, ...). @default {} */
  handlerOptions?: Omit<StreamableHttpHandlerOptions, 'sessions' | 'createServer'>;
  /** Where session creation and ends are logged; `null` for silence. @default console */
  log?: ((line: string) => void) | null;
  /**
   * Bearer tokens and their users (token to user, e.g. from {@link parseAuthTokens}). When given,
   * `/mcp`, `/sse` and `/messages` answer 401 with `WWW-Authenticate: Bearer` to a request
   * without one of these tokens, and the request's `AuthInfo` is {@link DEMO_CLIENT_ID} with the
   * user as subject (`extra.sub`): the default owner keeps users apart. `/healthz` stays open.
   * @default none: no authentication
   */
  authTokens?: ReadonlyMap<string, string> | undefined;
}

/** A running demo server. */
export interface DemoServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The Streamable HTTP endpoint: `${url}/mcp`. */
  readonly mcpUrl: string;
  readonly sessions: SessionManager;
  readonly handler: StreamableHttpHandler;
  readonly http: HttpServer;
  /** Ends the sessions (reason `shutdown`, when the demo made the manager) and stops listening. */
  close(): Promise<void>;
}

/** The demo's MCP server for one session: `echo`, `sleep` and a per-session `counter`. */
export function createDemoServer(_session?: SessionRecord): McpServer {
  const server = new McpServer({ name: 'mcp-sessions-demo', version: '0.1.0' });
  let count = 0;
  server.registerTool(
    'echo',
    { description: 'Answers the text it was given.', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  server.registerTool(
    'sleep',
    {
      description: 'Holds the request open for `ms` milliseconds, then answers.',
      inputSchema: { ms: z.number().int().min(0).max(MAX_SLEEP_MS) },
    },
    async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return { content: [{ type: 'text', text: `slept ${ms} ms` }] };
    },
  );
  server.registerTool(
    'counter',
    { description: 'Increments this session’s counter and answers it.' },
    () => {
      count++;
      return { content: [{ type: 'text', text: String(count) }] };
    },
  );
  return server;
}

/** Starts the demo server on 127.0.0.1. */
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
  const createServer = options.createServer ?? createDemoServer;
  const handler = new StreamableHttpHandler({ ...options.handlerOptions, sessions, createServer });
  const legacy = new SseHandler({ sessions, createServer });

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
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(stats));
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
    handler,
    http,
    close() {
      closing ??= (async () => {
        if (ownsSessions) await sessions.close();
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

/**
 * Sets `req.auth` from the request's bearer token, or answers 401 the way the SDK's bearer-auth
 * middleware does (`WWW-Authenticate: Bearer error="invalid_token", ...` and an OAuth error body).
 * Answers whether the request may go on.
 */
function authenticate(
  tokens: ReadonlyMap<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const header = req.headers.authorization;
  const [scheme, token, ...rest] = (header ?? '').split(' ');
  const user =
    scheme?.toLowerCase() === 'bearer' && token !== undefined && rest.length === 0
      ? tokens.get(token)
      : undefined;
  if (token !== undefined && user !== undefined) {
    const auth: AuthInfo = { token, clientId: DEMO_CLIENT_ID, scopes: [], extra: { sub: user } };
    (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    return true;
  }
  const description =
    header === undefined ? 'Missing Authorization header' : 'Invalid or unknown bearer token';
  res.writeHead(401, {
    'content-type': 'application/json',
    'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
  res.end(JSON.stringify({ error: 'invalid_token', error_description: description }));
  return false;
}

/**
 * Parses the demo's bearer tokens: comma-separated `token=user` pairs, whitespace around entries,
 * tokens and users trimmed (e.g. `"tok-a=alice, tok-b=bob"`). A token is split from its user at
 * the first `=` and holds no whitespace; both are non-empty; a token appears once.
 *
 * @param text the pairs, as given.
 * @param source the flag or variable named in errors.
 * @returns token to user.
 * @throws SessionError `INVALID_OPTION` naming the first malformed entry.
 */
export function parseAuthTokens(text: string, source = 'auth tokens'): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const at = entry.indexOf('=');
    const token = entry.slice(0, at).trim();
    const user = entry.slice(at + 1).trim();
    if (at < 0 || token === '' || user === '' || /\s/.test(token) || tokens.has(token)) {
      throw new SessionError(
        'INVALID_OPTION',
        `Invalid ${source} entry ${JSON.stringify(entry)}: expected token=user, a token with no ` +
          'whitespace, each token once.',
      );
    }
    tokens.set(token, user);
  }
  return tokens;
}

/** Reads a non-negative integer from a flag or the environment; throws naming the source. */
function readMs(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid ${name}: expected a non-negative integer, got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

/** The Redis store when `REDIS_URL` is set (the Redis code is loaded only then). */
async function storeFromEnvironment(
  redisUrl: string | undefined,
): Promise<{ store: SessionStore; close(): Promise<void> } | undefined> {
  if (redisUrl === undefined || redisUrl === '') return undefined;
  const [{ RedisStore }, { createClient }] = await Promise.all([
    import('../src/stores/redis/index.js'),
    import('redis'),
  ]);
  const client = createClient({ url: redisUrl });
  await client.connect();
  const store = new RedisStore({ client });
  return {
    store,
    async close() {
      await store.close();
      await client.close();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'idle-ttl-ms': { type: 'string' },
      'sweep-ms': { type: 'string' },
      'auth-tokens': { type: 'string' },
    },
  });
  const port = readMs('--port / PORT', values.port ?? process.env.PORT) ?? 3000;
  const idleTtlMs = readMs(
    '--idle-ttl-ms / MCP_SESSION_IDLE_TTL_MS',
    values['idle-ttl-ms'] ?? process.env.MCP_SESSION_IDLE_TTL_MS,
  );
  const sweepIntervalMs = readMs(
    '--sweep-ms / MCP_SESSION_SWEEP_MS',
    values['sweep-ms'] ?? process.env.MCP_SESSION_SWEEP_MS,
  );
  const tokenText = values['auth-tokens'] ?? process.env.MCP_DEMO_TOKENS;
  const authTokens =
    tokenText === undefined || tokenText === ''
      ? undefined
      : parseAuthTokens(tokenText, '--auth-tokens / MCP_DEMO_TOKENS');
  const redis = await storeFromEnvironment(process.env.REDIS_URL);
  const managerOptions: SessionManagerOptions = {};
  if (idleTtlMs !== undefined) managerOptions.idleTtlMs = idleTtlMs;
  if (sweepIntervalMs !== undefined) managerOptions.sweepIntervalMs = sweepIntervalMs;
  if (redis !== undefined) managerOptions.store = redis.store;
  const demo = await startDemoServer({ port, managerOptions, authTokens });
  const policy = demo.sessions.policy;
  const store = redis === undefined ? 'memory' : 'Redis';
  const auth = authTokens === undefined ? '' : `, bearer auth for ${authTokens.size} tokens`;
  console.log(
    `MCP demo on ${demo.mcpUrl} (idle TTL ${policy.idleTtlMs} ms, ${store} store${auth}); health at ${demo.url}/healthz`,
  );
  const stop = () => {
    demo
      .close()
      .then(() => redis?.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
