import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { type SessionEndInfo, SessionManager, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { untilPinned } from '../support/harness.js';
import { deleteKeys, ioRedis, keysUnder, nodeRedis, testPrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

// Fails (never skips) when the Redis at REDIS_URL is unreachable.
const node = await nodeRedis();
const io = await ioRedis();
const side = await ioRedis();

interface Replica {
  url: URL;
  manager: SessionManager;
  handler: SseHandler;
  http: HttpServer;
  serversClosed: Set<string>;
  ended: SessionEndInfo[];
}

const replicas: Replica[] = [];
const clients: Client[] = [];
let prefix = '';
const TTL = 300;

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const r of replicas.splice(0)) {
    await r.manager.close();
    await new Promise<void>((resolve) => r.http.close(() => resolve()));
    expect(r.handler.size).toBe(0);
  }
  await deleteKeys(side, prefix);
  expect(await keysUnder(side, prefix)).toEqual([]);
});

afterAll(async () => {
  await node.quit();
  io.disconnect();
  side.disconnect();
});

async function replica(client: typeof node | typeof io, clock: ManualClock): Promise<Replica> {
  const manager = new SessionManager({
    store: new RedisStore({ client, prefix }),
    clock,
    idleTtlMs: TTL,
    autoStart: false,
  });
  const serversClosed = new Set<string>();
  const handler = new SseHandler({
    sessions: manager,
    createServer: ({ id: sessionId }) => {
      const server = new McpServer({ name: 'sse-redis', version: '1.0.0' });
      let count = 0;
      server.registerTool('counter', {}, () => ({
        content: [{ type: 'text', text: String(++count) }],
      }));
      const close = server.close.bind(server);
      server.close = async () => {
        serversClosed.add(sessionId);
        await close();
      };
      return server;
    },
  });
  const http = createServer((req, res) => void handler.node(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const ended: SessionEndInfo[] = [];
  manager.on('ended', (info) => ended.push(info));
  const r = {
    url: new URL(`http://127.0.0.1:${port}`),
    manager,
    handler,
    http,
    serversClosed,
    ended,
  };
  replicas.push(r);
  return r;
}

/** Two replicas on one Redis prefix and one manual clock; no sweeper runs on its own. */
async function twoReplicas(): Promise<[Replica, Replica, ManualClock]> {
  prefix = testPrefix('sse');
  const clock = new ManualClock(systemClock.now());
  return [await replica(node, clock), await replica(io, clock), clock];
}

function ping(r: Replica, sessionId: string) {
  return fetch(new URL(`/messages?sessionId=${sessionId}`, r.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
}

describe('legacy HTTP+SSE over a shared Redis store', () => {
  it('serves a session on the replica holding its stream, and keeps it while the stream is open', async () => {
    const [a, b, clock] = await twoReplicas();
    let sessionId = '';
    a.manager.on('created', (session) => {
      sessionId = session.id;
    });
    const client = new Client({ name: 'sse-redis', version: '1.0.0' });
    client.onerror = () => undefined;
    await client.connect(new SSEClientTransport(new URL('/sse', a.url)));
    clients.push(client);
    const call = async () =>
      ((await client.callTool({ name: 'counter', arguments: {} })).content as { text: string }[])[0]
        ?.text;
    expect(await call()).toBe('1');
    // Both replicas see the session (kind 'sse'); only A holds its stream.
    const seen = await b.manager.resolve(sessionId);
    expect(seen.status === 'active' && seen.session.kind).toBe('sse');
    const elsewhere = await ping(b, sessionId);
    expect(elsewhere.status).toBe(409);
    expect((await elsewhere.json()).error.message).toContain('another server process');
    // The open stream keeps the session alive across several idle TTLs (A renews its pin).
    await untilPinned(a.manager, 1);
    for (let i = 0; i < 6; i++) {
      clock.advance(TTL / 2);
      expect(await a.manager.sweep()).toBe(0);
      expect(await b.manager.sweep()).toBe(0);
    }
    expect(a.ended).toEqual([]);
    expect(b.ended).toEqual([]);
    expect(await call()).toBe('2');
  });

  it('expires a session whose stream closed, closing its transport on the replica that held it', async () => {
    const [a, b, clock] = await twoReplicas();
    const response = await fetch(new URL('/sse', a.url));
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const sessionId = /sessionId=([^\s&]+)/.exec(first)![1]!;
    expect((await ping(a, sessionId)).status).toBe(202);
    await reader.cancel();
    await untilPinned(a.manager, 0);
    expect(a.serversClosed.has(sessionId)).toBe(false);
    clock.advance(TTL);
    expect(await a.manager.sweep()).toBe(1);
    expect(await b.manager.sweep()).toBe(0);
    await waitFor(() => a.serversClosed.has(sessionId), 'the server to close on A');
    // The stream's close alone ends nothing: the session ended by idle expiry.
    expect(a.handler.size).toBe(0);
    expect([...a.ended, ...b.ended].map((e) => e.reason)).toEqual(['idle']);
    for (const r of [a, b]) {
      const gone = await ping(r, sessionId);
      expect(gone.status).toBe(404);
      expect(gone.headers.get('x-session-expired-reason')).toBe('idle');
      expect((await gone.json()).error.data.code).toBe('SESSION_EXPIRED');
    }
  });
});
