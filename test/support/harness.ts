import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { expect, onTestFinished } from 'vitest';
import { createDemoServer, type DemoServer, startDemoServer } from '../../examples/demo-server.js';
import type { StreamableHttpHandlerOptions } from '../../src/adapters/streamable-http/index.js';
import {
  type SessionEndInfo,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
  type SessionStore,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { Latch } from './latch.js';
import { EVENT_TIMEOUT_MS, waitFor, within } from './wait.js';

export { wait, waitFor, within } from './wait.js';

/** What the harness counts, to prove nothing is left behind. */
export interface Counts {
  /** Servers built by the factory. */
  servers: number;
  /** Servers whose transport closed (the SDK calls `server.onclose` when it does). */
  transportsClosed: number;
  /** Servers whose `close()` was called. */
  serversClosed: number;
}

/** Options of {@link startHarness}: everything that makes a run, injectable. */
export interface HarnessOptions {
  /** The store (share one between two harnesses to act as two replicas). @default a new MemoryStore */
  store?: SessionStore;
  /** The manager's clock (share one between replicas). @default a new ManualClock */
  clock?: ManualClock;
  /** Manager options besides `store` and `clock`; `autoStart` defaults to `false`. */
  managerOptions?: Omit<SessionManagerOptions, 'store' | 'clock'>;
  /** Handler options besides `sessions` and `createServer`. */
  handlerOptions?: Omit<StreamableHttpHandlerOptions, 'sessions' | 'createServer'>;
  /** Adds tools to each session's demo server. */
  extend?: (server: McpServer, session: SessionRecord) => void;
}

/** A running demo server with counted servers and SDK clients that are closed with it. */
export interface Harness {
  readonly demo: DemoServer;
  readonly mcpUrl: string;
  readonly sessions: SessionManager;
  readonly counts: Counts;
  /** The manager's clock: time passes only through {@link Harness.passTime}. */
  readonly clock: ManualClock;
  /** The gate of every session's `hold` tool, which answers `held` once the latch is open. */
  readonly latch: Latch;
  /** Advances the clock by `ms`, then runs one sweep; answers how many sessions it ended. */
  passTime(ms: number): Promise<number>;
  /** A connected SDK client (closed by {@link Harness.close}). */
  connect(
    sessionId?: string,
  ): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
  /**
   * Closes clients, the server and the manager; answers the counts at the end. Idempotent; runs
   * by itself when the test finishes.
   */
  close(): Promise<Counts>;
}

/**
 * Starts the demo server on 127.0.0.1:0 over an injectable store, with a manual clock and no
 * sweeper: idle expiry happens when a test advances the clock and sweeps. Call it inside a test:
 * when the test finishes the harness closes, and the test fails if a socket stayed open or a
 * server or transport was not closed.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const clock = options.clock ?? new ManualClock();
  const managerOptions: SessionManagerOptions = {
    autoStart: false,
    ...options.managerOptions,
    clock,
  };
  if (options.store !== undefined) managerOptions.store = options.store;
  const sessions = new SessionManager(managerOptions);
  const latch = new Latch();
  const counts: Counts = { servers: 0, transportsClosed: 0, serversClosed: 0 };
  const demo = await startDemoServer({
    port: 0,
    sessions,
    log: null,
    handlerOptions: options.handlerOptions ?? {},
    createServer: (session) => {
      const server = createDemoServer(session);
      server.registerTool(
        'hold',
        { description: 'Answers once the test opens the latch.' },
        async () => {
          await latch.pass();
          return { content: [{ type: 'text', text: 'held' }] };
        },
      );
      options.extend?.(server, session);
      counts.servers++;
      server.server.onclose = () => {
        counts.transportsClosed++;
      };
      const close = server.close.bind(server);
      server.close = () => {
        counts.serversClosed++;
        return close();
      };
      return server;
    },
  });
  const clients: Client[] = [];
  let closing: Promise<Counts> | undefined;
  const harness: Harness = {
    demo,
    mcpUrl: demo.mcpUrl,
    sessions,
    counts,
    clock,
    latch,
    passTime(ms) {
      clock.advance(ms);
      return sessions.sweep();
    },
    async connect(sessionId) {
      const transport = new StreamableHTTPClientTransport(
        new URL(demo.mcpUrl),
        sessionId === undefined ? {} : { sessionId },
      );
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      clients.push(client);
      await client.connect(transport);
      return { client, transport };
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled(clients.map((client) => client.close()));
        await sessions.close();
        await demo.close();
        return { ...counts };
      })();
      return closing;
    },
  };
  onTestFinished(async () => {
    const final = await harness.close();
    const connections = await new Promise<number>((resolve, reject) =>
      demo.http.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    );
    expect(connections).toBe(0);
    expect(final.transportsClosed).toBe(final.servers);
    expect(final.serversClosed).toBe(final.servers);
  });
  return harness;
}

/** Headers of a raw Streamable HTTP POST. */
export function postHeaders(sessionId?: string): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  };
  if (sessionId !== undefined) headers['mcp-session-id'] = sessionId;
  return headers;
}

/** A JSON-RPC `initialize` request. */
export function initializeRequest(id: number | string = 1): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1.0.0' },
    },
  };
}

/** A JSON-RPC `tools/call` request. */
export function callRequest(
  name: string,
  args: Record<string, unknown> = {},
  id: number | string = 2,
): Record<string, unknown> {
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } };
}

/** Initializes a session over raw HTTP (no GET stream) and answers its ID. */
export async function rawInitialize(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: postHeaders(),
    body: JSON.stringify(initializeRequest()),
  });
  await response.text();
  const id = response.headers.get('mcp-session-id');
  if (response.status !== 200 || id === null) {
    throw new Error(`initialize answered ${response.status}`);
  }
  const notified = await fetch(url, {
    method: 'POST',
    headers: postHeaders(id),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await notified.text();
  return id;
}

/** POSTs a JSON-RPC message over raw HTTP; answers the status, headers and the JSON-RPC answer. */
export async function rawPost(
  url: string,
  sessionId: string | undefined,
  message: unknown,
): Promise<{ status: number; headers: Headers; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: postHeaders(sessionId),
    body: JSON.stringify(message),
  });
  return { status: response.status, headers: response.headers, json: await readAnswer(response) };
}

/** The JSON-RPC answer of a response, whether sent as JSON or as one SSE `message` event. */
export async function readAnswer(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  if (!response.headers.get('content-type')?.includes('text/event-stream')) return JSON.parse(text);
  const data = text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice(6));
  const last = data.at(-1);
  return last === undefined ? undefined : JSON.parse(last);
}

/**
 * Resolves with the end of session `id` when `sessions` emits it; rejects after `timeoutMs`.
 * Subscribe before the action that ends the session.
 */
export function sessionEnd(
  sessions: SessionManager,
  id: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<SessionEndInfo> {
  let off = () => {};
  const ended = new Promise<SessionEndInfo>((resolve) => {
    off = sessions.on('ended', (info) => {
      if (info.id === id) resolve(info);
    });
  });
  return within(ended, `the end of session ${id}`, timeoutMs).finally(off);
}

/** Waits until exactly `count` sessions are pinned (a stream opened or closed, a call ended). */
export function untilPinned(sessions: SessionManager, count: number): Promise<void> {
  return waitFor(async () => (await sessions.stats()).pinned === count, `${count} pinned`);
}

/** The first text content of a tool call's result. */
export async function toolText(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<string | undefined> {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
  };
  return result.content[0]?.text;
}

/** Awaits a promise that must reject with the SDK client's `StreamableHTTPError`. */
export async function httpError(promise: Promise<unknown>): Promise<StreamableHTTPError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StreamableHTTPError);
  return error as StreamableHTTPError;
}

/** `error.data` of a JSON-RPC error body. */
export function errorData(json: unknown): Record<string, unknown> {
  return (json as { error: { data: Record<string, unknown> } }).error.data;
}
