/**
 * The demo MCP server behind `npm start`: Streamable HTTP at `/mcp` and legacy HTTP+SSE at `/sse` +
 * `/messages`, on one session table; `GET /healthz` with the session stats; tools `echo`, `sleep`
 * and `counter`.
 *
 * Configuration (flags win over the environment):
 * - `--port` / `PORT` (default 3000), always on 127.0.0.1;
 * - `--idle-ttl-ms` / `MCP_SESSION_IDLE_TTL_MS` (default 30 minutes);
 * - `--sweep-ms` / `MCP_SESSION_SWEEP_MS` (default a quarter of the idle TTL);
 * - `REDIS_URL`: keep sessions in Redis instead of memory.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
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

  const http = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
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
  const redis = await storeFromEnvironment(process.env.REDIS_URL);
  const managerOptions: SessionManagerOptions = {};
  if (idleTtlMs !== undefined) managerOptions.idleTtlMs = idleTtlMs;
  if (sweepIntervalMs !== undefined) managerOptions.sweepIntervalMs = sweepIntervalMs;
  if (redis !== undefined) managerOptions.store = redis.store;
  const demo = await startDemoServer({ port, managerOptions });
  const policy = demo.sessions.policy;
  console.log(
    `MCP demo on ${demo.mcpUrl} (idle TTL ${policy.idleTtlMs} ms, ${redis === undefined ? 'memory' : 'Redis'} store); health at ${demo.url}/healthz`,
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
