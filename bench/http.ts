/**
 * Streamable HTTP throughput and latency: the complete handler against the SDK's own example
 * wiring (a bare `Map` of transports, no TTL), same tool call, same machine, one run.
 *
 * Each server runs in its own child process; autocannon drives it from this one over
 * 127.0.0.1. Sessions are initialized before the measurement, one per connection; the measured
 * request is `tools/call echo` with the session header.
 *
 *   npx tsx bench/http.ts [--connections 32] [--duration 10] [--rounds 2]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { StreamableHttpHandler } from '../src/adapters/streamable-http/index.js';
import { SessionManager } from '../src/index.js';

type Kind = 'bare' | 'sessions';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  setupClient: (client: { setHeaders(headers: Record<string, string>): void }) => void;
}) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

/** The SDK's example wiring: a Map of transports, created at initialize, never expired. */
function bareListener(): (req: IncomingMessage, res: ServerResponse) => void {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const readJson = (req: IncomingMessage) =>
    new Promise<unknown>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      req.on('error', reject);
    });
  return (req, res) => {
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
        await buildServer().connect(transport);
        await transport.handleRequest(req, res, body);
        return;
      }
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request"},"id":null}');
    })();
  };
}

function sessionsListener(): (req: IncomingMessage, res: ServerResponse) => void {
  const handler = new StreamableHttpHandler({
    sessions: new SessionManager({ maxSessions: Infinity }),
    createServer: buildServer,
  });
  return (req, res) => {
    void handler.node(req, res);
  };
}

/** Child process: serve one kind on 127.0.0.1:0 and report the port. */
function serve(kind: Kind): void {
  const server = createServer(kind === 'bare' ? bareListener() : sessionsListener());
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('disconnect', () => process.exit(0));
}

const HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
};

async function initialize(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1' },
      },
    }),
  });
  await response.text();
  const id = response.headers.get('mcp-session-id');
  if (id === null) throw new Error(`initialize answered ${response.status}`);
  const done = await fetch(url, {
    method: 'POST',
    headers: { ...HEADERS, 'mcp-session-id': id },
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  await done.text();
  return id;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function measure(
  kind: Kind,
  connections: number,
  duration: number,
  warmup: number,
): Promise<Figures> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', kind], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${port}/mcp`;
    const ids = await Promise.all(Array.from({ length: connections }, () => initialize(url)));
    const run = (seconds: number) => {
      let next = 0;
      return autocannon({
        url,
        connections,
        duration: seconds,
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: 'hello' } },
        }),
        setupClient: (client) => {
          client.setHeaders({ ...HEADERS, 'mcp-session-id': ids[next++ % ids.length]! });
        },
      });
    };
    await run(warmup);
    const result = await run(duration);
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    child.disconnect();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      connections: { type: 'string', default: '32' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '2' },
    },
  });
  if (values.serve === 'bare' || values.serve === 'sessions') {
    serve(values.serve);
    return;
  }
  const connections = Number(values.connections);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);
  const rounds = Number(values.rounds);
  const all: Record<Kind, Figures[]> = { bare: [], sessions: [] };
  for (let round = 0; round < rounds; round++) {
    for (const kind of ['bare', 'sessions'] as const) {
      const figures = await measure(kind, connections, duration, warmup);
      all[kind].push(figures);
      console.log(
        `round ${round + 1} ${kind.padEnd(8)} ${figures.rps.toFixed(0).padStart(7)} req/s  p50 ${figures.p50} ms  p99 ${figures.p99} ms  non-2xx ${figures.non2xx}  errors ${figures.errors}`,
      );
    }
  }
  const mean = (kind: Kind, key: keyof Figures) =>
    all[kind].reduce((sum, f) => sum + f[key], 0) / all[kind].length;
  const ratio = mean('sessions', 'rps') / mean('bare', 'rps');
  const p99 = mean('sessions', 'p99') / mean('bare', 'p99');
  console.log(
    `\nStreamable HTTP, ${connections} connections x ${duration} s, ${rounds} rounds (mean):\n` +
      `  bare Map of transports  ${mean('bare', 'rps').toFixed(0)} req/s  p50 ${mean('bare', 'p50').toFixed(1)} ms  p99 ${mean('bare', 'p99').toFixed(1)} ms\n` +
      `  mcp-sessions handler    ${mean('sessions', 'rps').toFixed(0)} req/s  p50 ${mean('sessions', 'p50').toFixed(1)} ms  p99 ${mean('sessions', 'p99').toFixed(1)} ms\n` +
      `  throughput ratio ${ratio.toFixed(3)} (target >= 0.95), p99 ratio ${p99.toFixed(3)} (target <= 1.05)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
