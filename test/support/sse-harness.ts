import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  SSEClientTransport,
  type SSEClientTransportOptions,
} from '@modelcontextprotocol/sdk/client/sse.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { expect, onTestFinished } from 'vitest';
import { z } from 'zod';
import { SseHandler, type SseHandlerOptions } from '../../src/adapters/sse/index.js';
import {
  type SessionEndInfo,
  type SessionFailure,
  SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { Latch } from './latch.js';
import { waitFor } from './wait.js';

/** The idle TTL of an SSE harness whose options set none, in ms. */
export const SSE_TTL = 200;

/** What an SSE harness counts, to prove nothing is left behind. */
export interface SseCounts {
  /** Servers built by the default factory. */
  serversCreated: number;
  /** Session IDs whose server's `close()` was called. */
  serversClosed: Set<string>;
}

/**
 * A real node:http server on 127.0.0.1 with the legacy SSE handler over a manager on a manual
 * clock (no sweeper unless `autoStart` is set), and what happened to its sessions.
 */
export interface SseHarness {
  readonly url: URL;
  readonly manager: SessionManager;
  /** The manager's clock: time passes only through {@link passTime}. */
  readonly clock: ManualClock;
  /** The gate of every session's `hold` tool, which then answers the session ID. */
  readonly latch: Latch;
  readonly handler: SseHandler;
  readonly http: HttpServer;
  readonly counts: SseCounts;
  /** IDs of the sessions this manager created, in order. */
  readonly created: string[];
  /** Ends this manager emitted, in order. */
  readonly ended: SessionEndInfo[];
  /** Contained failures the manager reported; a test that expects some empties it. */
  readonly errors: SessionFailure[];
  /** SDK clients closed when the test finishes. */
  readonly clients: Client[];
  /** Raw streams destroyed when the test finishes. */
  readonly streams: IncomingMessage[];
}

/** Options of {@link startSse} besides the manager's and the handler's. */
export interface SseHarnessOptions {
  /** The manager's clock (share one between replicas). @default a new ManualClock */
  clock?: ManualClock;
  /** Puts something (auth, Express, another handler) in front of the SSE handler. */
  wrap?: (handler: SseHandler) => (req: IncomingMessage, res: ServerResponse) => void;
}

/** The server of every session: `echo`, `counter`, `whoami` and `hold`. */
function buildServer(sessionId: string, counts: SseCounts, latch: Latch): McpServer {
  counts.serversCreated++;
  const server = new McpServer({ name: 'sse-e2e', version: '1.0.0' });
  let counter = 0;
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text: t }) => text(t));
  server.registerTool('counter', {}, () => text(String(++counter)));
  server.registerTool('whoami', {}, () => text(sessionId));
  server.registerTool('hold', {}, async () => {
    await latch.pass();
    return text(sessionId);
  });
  const close = server.close.bind(server);
  server.close = async () => {
    counts.serversClosed.add(sessionId);
    await close();
  };
  return server;
}

/**
 * Starts an SSE harness. When the test finishes it closes the clients, streams, manager and
 * server, and fails the test if a transport, server, socket or reported failure is left.
 */
export async function startSse(
  managerOptions: Omit<SessionManagerOptions, 'clock'> = {},
  handlerOptions: Partial<SseHandlerOptions> = {},
  options: SseHarnessOptions = {},
): Promise<SseHarness> {
  const clock = options.clock ?? new ManualClock();
  const manager = new SessionManager({
    idleTtlMs: SSE_TTL,
    autoStart: false,
    ...managerOptions,
    clock,
  });
  const counts: SseCounts = { serversCreated: 0, serversClosed: new Set() };
  const latch = new Latch();
  const handler = new SseHandler({
    sessions: manager,
    createServer: (session) => buildServer(session.id, counts, latch),
    ...handlerOptions,
  });
  const listener = options.wrap?.(handler) ?? ((req, res) => void handler.node(req, res));
  const http = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const h: SseHarness = {
    url: new URL(`http://127.0.0.1:${port}`),
    manager,
    clock,
    latch,
    handler,
    http,
    counts,
    created: [],
    ended: [],
    errors: [],
    clients: [],
    streams: [],
  };
  manager.on('created', (session) => h.created.push(session.id));
  manager.on('ended', (info) => h.ended.push(info));
  manager.on('error', (failure) => h.errors.push(failure));
  onTestFinished(async () => {
    for (const client of h.clients.splice(0)) await client.close();
    for (const res of h.streams.splice(0)) res.destroy();
    await manager.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    expect(handler.size).toBe(0);
    expect(counts.serversClosed.size).toBe(counts.serversCreated);
    const sockets = await new Promise<number>((resolve, reject) =>
      http.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(sockets).toBe(0);
    expect(h.errors).toEqual([]);
  });
  return h;
}

/** Advances the clock by `ms`, then runs one sweep; answers how many sessions it ended. */
export function passTime(h: SseHarness, ms: number): Promise<number> {
  h.clock.advance(ms);
  return h.manager.sweep();
}

/** Connects an SDK client over SSE (closed when the test finishes); answers its session ID. */
export async function connectSse(
  h: SseHarness,
  options: SSEClientTransportOptions = {},
  path = '/sse',
): Promise<{ client: Client; sessionId: string }> {
  const before = h.created.length;
  const client = new Client({ name: 'sse-e2e-client', version: '1.0.0' });
  client.onerror = () => undefined;
  await client.connect(new SSEClientTransport(new URL(path, h.url), options));
  h.clients.push(client);
  expect(h.created.length).toBe(before + 1);
  return { client, sessionId: h.created[h.created.length - 1]! };
}

/** The end of session `id`, once the manager has emitted it. */
export async function endedWith(h: SseHarness, id: string): Promise<SessionEndInfo> {
  await waitFor(() => h.ended.some((e) => e.id === id), `the end of session ${id}`);
  return h.ended.find((e) => e.id === id)!;
}

/** A JSON-RPC error body. */
export interface RpcErrorBody {
  jsonrpc: string;
  id: unknown;
  error: { code: number; message: string; data?: Record<string, unknown> };
}

/** A JSON-RPC `ping` with id 41. */
export const ping = { jsonrpc: '2.0', id: 41, method: 'ping' };

/** POSTs `body` (JSON unless a string) to `path` + `query`; answers status, headers and text. */
export async function post(
  h: Pick<SseHarness, 'url'>,
  query: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/messages',
) {
  const response = await fetch(new URL(`${path}${query}`, h.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    /** The body as a JSON-RPC error (throws when the body is not JSON). */
    get json(): RpcErrorBody {
      return JSON.parse(text) as RpcErrorBody;
    },
  };
}

/**
 * Opens a raw SSE stream (destroyed when the test finishes); answers the session ID announced,
 * everything read so far, and a promise of the stream's end.
 */
export async function openRawStream(
  h: SseHarness,
  headers: Record<string, string> = {},
  path = '/sse',
): Promise<{
  res: IncomingMessage;
  sessionId: string;
  received: () => string;
  ended: Promise<void>;
}> {
  let buffer = '';
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(new URL(path, h.url), {
      headers: { accept: 'text/event-stream', ...headers },
    });
    req.on('response', resolve).on('error', reject).end();
  });
  h.streams.push(res);
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
  });
  res.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => res.once('end', resolve));
  expect(res.statusCode).toBe(200);
  await waitFor(() => buffer.includes('event: endpoint'), 'the endpoint event');
  const match = /sessionId=([^\s&]+)/.exec(buffer);
  return { res, sessionId: match![1]!, received: () => buffer, ended };
}
