/**
 * Child process of the HTTP benchmarks: serves MCP on 127.0.0.1:0 in one of three wirings and
 * answers statistics over IPC, so the load generator never shares the server's event loop or
 * heap. Started by {@link startServer} in `./children.ts`.
 *
 * - `bare`: the SDK's example wiring (a `Map` of Node transports, removed on close, no TTL);
 * - `memory`: `StreamableHttpHandler` over a `SessionManager` with the memory store;
 * - `redis`: the same handler over a `RedisStore` on a node-redis client;
 * - `web-request` / `web-light`: the SDK's Web-standard transport fed a real `Request` or a
 *   light request object (see `./web-wiring.ts`);
 * - `v2-bare`, `v2-modern`, `v2-legacy`: SDK v2 wirings (see `./v2-wiring.ts`);
 * - `fleet`: one replica of a fleet sharing a Redis store (see `./fleet-wiring.ts`); a `trim`
 *   message calls its handler's `trim()` and answers its local transports before and after, an
 *   `advance-clock` message moves its manager's clock forward.
 *
 * Server CPU per request: on `cpu-start` the process notes `process.cpuUsage()` and the number
 * of requests it has received; on `cpu-stop` it answers the CPU time spent since (user +
 * system, all threads of the process) and the requests received meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createClient } from 'redis';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { type FleetWiring, fleetWiring } from './fleet-wiring.js';
import { buildEchoServer, buildFleetServer } from './mcp-server.js';
import type { CpuWindow, ServerConfig, ServerStats } from './server-protocol.js';
import { bareV2Wiring, sessionsV2Wiring } from './v2-wiring.js';
import { readJson, type Wiring, webWiring } from './web-wiring.js';

const created = { servers: 0, transports: 0 };
const closed = { servers: 0, transports: 0 };
const alive = { servers: 0, transports: 0 };
const finalized = new FinalizationRegistry<'servers' | 'transports'>((what) => {
  alive[what]--;
});

function track(what: 'servers' | 'transports', target: object): void {
  created[what]++;
  alive[what]++;
  finalized.register(target, what);
}

/** The echo server, wrapped so that its connects and closes (and its transport's) are counted. */
function countedServer(build: () => McpServer = buildEchoServer) {
  const server = build();
  track('servers', server);
  let serverClosed = false;
  return {
    async connect(transport: Transport): Promise<void> {
      track('transports', transport);
      await server.connect(transport);
      const chained = transport.onclose;
      let transportClosed = false;
      transport.onclose = () => {
        if (!transportClosed) {
          transportClosed = true;
          closed.transports++;
        }
        chained?.();
      };
    },
    async close(): Promise<void> {
      if (!serverClosed) {
        serverClosed = true;
        closed.servers++;
      }
      await server.close();
    },
  };
}

/** The SDK's example wiring: transports in a `Map`, created at initialize, never expired. */
function bareListener(): Wiring {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const id = req.headers['mcp-session-id'];
      const existing = typeof id === 'string' ? transports.get(id) : undefined;
      if (existing !== undefined) {
        await existing.handleRequest(req, res, body);
        return;
      }
      if (id === undefined && isInitializeRequest(body)) {
        const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sid) => {
            transports.set(sid, transport);
          },
        });
        transport.onclose = () => {
          if (transport.sessionId !== undefined) transports.delete(transport.sessionId);
        };
        await countedServer().connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request"},"id":null}');
    })().catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
  return { listener, size: () => transports.size };
}

async function handlerListener(config: ServerConfig): Promise<Wiring> {
  let store: RedisStore | undefined;
  if (config.kind === 'redis') {
    if (config.redisUrl === undefined || config.prefix === undefined) {
      throw new Error('the redis server kind needs redisUrl and prefix');
    }
    const client = await createClient({ url: config.redisUrl }).connect();
    store = new RedisStore({ client, prefix: config.prefix });
  }
  const sessions = new SessionManager({
    ...(store === undefined ? {} : { store }),
    maxSessions: Infinity,
    ...(config.maxTombstones === undefined ? {} : { maxTombstones: config.maxTombstones }),
  });
  const handler = new StreamableHttpHandler({ sessions, createServer: () => countedServer() });
  return {
    listener: (req, res) => {
      void handler.node(req, res);
    },
    size: () => handler.size,
  };
}

async function wiringOf(config: ServerConfig): Promise<Wiring> {
  switch (config.kind) {
    case 'bare':
      return bareListener();
    case 'web-request':
    case 'web-light':
      return webWiring(config.kind === 'web-light', () => countedServer());
    case 'v2-bare':
      return bareV2Wiring();
    case 'v2-modern':
    case 'v2-legacy':
      return sessionsV2Wiring();
    default:
      return handlerListener(config);
  }
}

async function collect(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the server process needs --expose-gc');
  // Finalization callbacks run after a collection, on later turns of the event loop.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as ServerConfig;
  let fleet: FleetWiring | undefined;
  if (config.kind === 'fleet') {
    fleet = await fleetWiring(config, () => countedServer(buildFleetServer));
  }
  const { listener, size } = fleet ?? (await wiringOf(config));
  let received = 0;
  const server = createServer((req, res) => {
    received++;
    listener(req, res);
  });
  server.keepAliveTimeout = 60_000;
  let window = { cpu: process.cpuUsage(), received };
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu-start') {
      window = { cpu: process.cpuUsage(), received };
      process.send?.({ type: 'cpu-started' });
      return;
    }
    if (message.type === 'cpu-stop') {
      const { user, system } = process.cpuUsage(window.cpu);
      const cpu: CpuWindow = { cpuMicros: user + system, requests: received - window.received };
      process.send?.({ type: 'cpu', cpu });
      return;
    }
    if (message.type === 'advance-clock') {
      if (fleet === undefined) throw new Error(`advance-clock: not a fleet replica`);
      fleet.advanceClock((message as { ms?: number }).ms ?? 0);
      process.send?.({ type: 'clock-advanced' });
      return;
    }
    if (message.type === 'trim') {
      if (fleet === undefined) throw new Error(`trim: not a fleet replica (${config.kind})`);
      void fleet.trim().then((trim) => process.send?.({ type: 'trimmed', trim }));
      return;
    }
    if (message.type !== 'stats') return;
    void collect().then(() => {
      const stats: ServerStats = {
        heapUsed: process.memoryUsage().heapUsed,
        open: size(),
        created: { ...created },
        closed: { ...closed },
        alive: { ...alive },
      };
      process.send?.({ type: 'stats', stats });
    });
  });
  process.on('disconnect', () => process.exit(0));
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
  });
}

await main();
