import { randomUUID } from 'node:crypto';
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SseGate, type SseGateOptions } from '../../src/adapters/sse/index.js';
import { SessionManager, type SessionManagerOptions } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { sessionEnd, untilPinned, waitFor } from '../support/harness.js';

/**
 * The SDK's own legacy SSE example wiring (a map of transports), with the gate added: the
 * lines marked `+` are all it takes.
 */
function sdkExampleApp(sessions: SessionManager, gate: SseGate, onPost?: () => Promise<void>) {
  const app = express();
  app.use(express.json());
  const transports = new Map<string, SSEServerTransport>();
  const servers: McpServer[] = [];
  app.get('/sse', async (req, res) => {
    const transport = new SSEServerTransport('/messages', res);
    const server = new McpServer({ name: 'example', version: '1.0.0' });
    let count = 0;
    server.registerTool('counter', {}, () => ({
      content: [{ type: 'text', text: String(++count) }],
    }));
    server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    if (!(await gate.attach({ transport, req, res, server }))) return; // +
    servers.push(server);
    transports.set(transport.sessionId, transport);
    sessions.onEnd(transport.sessionId, () => transports.delete(transport.sessionId)); // +
    await server.connect(transport);
  });
  app.post('/messages', async (req, res) => {
    const admitted = await gate.admit(req, res); // +
    if (!admitted) return; // +
    await onPost?.();
    const transport = transports.get(admitted.session.id);
    if (transport) await transport.handlePostMessage(req, res, req.body);
    else res.status(400).send('No transport for sessionId');
  });
  return { app, transports, servers };
}

interface Setup {
  sessions: SessionManager;
  http: HttpServer;
  url: URL;
  transports: Map<string, SSEServerTransport>;
  servers: McpServer[];
  clock: ManualClock | undefined;
}

const setups: Setup[] = [];
const clients: Client[] = [];
const streams: IncomingMessage[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const stream of streams.splice(0)) stream.destroy();
  for (const s of setups.splice(0)) {
    await s.sessions.close();
    await new Promise<void>((resolve) => s.http.close(() => resolve()));
    expect(s.transports.size).toBe(0);
  }
});

async function setup(
  managerOptions: SessionManagerOptions = {},
  gateOptions: Omit<SseGateOptions, 'sessions'> = {},
  onPost?: () => Promise<void>,
): Promise<Setup> {
  const sessions = new SessionManager({
    idleTtlMs: 1000,
    clock: new ManualClock(),
    autoStart: false,
    ...managerOptions,
  });
  const gate = new SseGate({ sessions, keepAliveMs: 0, ...gateOptions });
  const { app, transports, servers } = sdkExampleApp(sessions, gate, onPost);
  const http = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const clock = managerOptions.clock instanceof ManualClock ? managerOptions.clock : undefined;
  const s = {
    sessions,
    http,
    url: new URL(`http://127.0.0.1:${port}`),
    transports,
    servers,
    clock,
  };
  setups.push(s);
  return s;
}

async function openStream(s: Setup): Promise<{ res: IncomingMessage; sessionId: string }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    request(new URL('/sse', s.url)).on('response', resolve).on('error', reject).end();
  });
  streams.push(res);
  res.on('error', () => undefined);
  let buffer = '';
  res.setEncoding('utf8');
  await new Promise<void>((resolve) => {
    res.on('data', (chunk: string) => {
      buffer += chunk;
      if (buffer.includes('\n\n')) resolve();
    });
  });
  return { res, sessionId: /sessionId=([^\s&]+)/.exec(buffer)![1]! };
}

function postPing(s: Setup, sessionId: string) {
  return fetch(new URL(`/messages?sessionId=${sessionId}`, s.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }),
  });
}

describe('SseGate on the SDK example wiring', () => {
  it('adds sessions to the SDK example server: tools work, a server-side end closes everything', async () => {
    const s = await setup();
    const client = new Client({ name: 'hooks', version: '1.0.0' });
    client.onerror = () => undefined;
    await client.connect(new SSEClientTransport(new URL('/sse', s.url)));
    clients.push(client);
    const [record] = await s.sessions.list();
    expect(record).toMatchObject({ kind: 'sse', owner: undefined });
    expect(s.transports.has(record!.id)).toBe(true);
    const result = await client.callTool({ name: 'counter', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '1' }]);

    let serverClosed = 0;
    s.servers[0]!.server.onclose = () => serverClosed++;
    expect(await s.sessions.end(record!.id)).toBe(true);
    expect(s.transports.size).toBe(0);
    expect(serverClosed).toBeGreaterThan(0);
    await expect(client.callTool({ name: 'counter', arguments: {} })).rejects.toThrow(
      /HTTP 404.*SESSION_EXPIRED/,
    );
  });

  it('pins the session while the stream is open, and ends it (deleted) when it closes', async () => {
    const clock = new ManualClock();
    const s = await setup({ clock, autoStart: false });
    const stream = await openStream(s);
    clock.advance(5000);
    expect(await s.sessions.sweep()).toBe(0);
    expect((await s.sessions.stats()).pinned).toBe(1);
    const ended = sessionEnd(s.sessions, stream.sessionId);
    stream.res.destroy();
    // No time passes: the SDK transport cannot serve the ID once its stream is gone.
    expect((await ended).reason).toBe('deleted');
    await untilPinned(s.sessions, 0);
    const gone = await s.sessions.resolve(stream.sessionId);
    expect(gone).toMatchObject({ status: 'ended', tombstone: { reason: 'deleted' } });
    expect(s.transports.size).toBe(0);
    await waitFor(() => !s.servers[0]!.isConnected(), 'the server closed');
  });

  it("names sessions with the SDK transport's UUID: generateId does not apply to the gate", async () => {
    let generated = 0;
    const s = await setup({
      generateId: () => `from-generate-id-${++generated}-${randomUUID()}`,
    });
    const probed = generated; // the manager probes a custom generator at construction
    const stream = await openStream(s);
    expect(stream.sessionId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(generated).toBe(probed);
    expect(s.transports.has(stream.sessionId)).toBe(true);
    expect((await s.sessions.resolve(stream.sessionId)).status).toBe('active');
  });

  it('releases the stream pin once although the transport reports its close twice', async () => {
    const clock = new ManualClock();
    const s = await setup({ clock, autoStart: false });
    const a = await openStream(s);
    const b = await openStream(s);
    expect((await s.sessions.stats()).pinned).toBe(2);
    // Closing the server closes the transport: `onclose` fires from close() and again from the
    // response's close event; the closed stream ends the session once.
    const ended = sessionEnd(s.sessions, a.sessionId);
    await s.servers[0]!.close();
    await s.transports.get(a.sessionId)?.close();
    expect((await ended).reason).toBe('deleted');
    await untilPinned(s.sessions, 1);
    clock.advance(1000);
    expect(await s.sessions.sweep()).toBe(0);
    expect((await s.sessions.resolve(b.sessionId)).status).toBe('active');
    expect((await s.sessions.stats()).live).toBe(1);
  });

  it('pins a POST until its response is written', async () => {
    const clock = new ManualClock();
    let hold: (() => void) | undefined;
    const held = new Promise<void>((resolve) => {
      hold = resolve;
    });
    let arrived: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const s = await setup({ clock, autoStart: false }, {}, async () => {
      arrived();
      await held;
    });
    // A session of this kind without a stream here (as another process's would be).
    const session = await s.sessions.create({ kind: 'sse' });
    const pending = postPing(s, session.id);
    await inHandler;
    expect((await s.sessions.stats()).pinned).toBe(1);
    clock.advance(10_000);
    expect(await s.sessions.sweep()).toBe(0);
    hold!();
    const answer = await pending;
    // The example app has no transport for it (plain text, its own answer).
    expect(answer.status).toBe(400);
    await answer.text();
    await untilPinned(s.sessions, 0);
    clock.advance(999);
    expect(await s.sessions.sweep()).toBe(0);
    clock.advance(1);
    expect(await s.sessions.sweep()).toBe(1);
  });

  it('answers the JSON errors itself: 400, 404 expired / not found, 503 at capacity', async () => {
    const s = await setup({ maxSessions: 1 }, { retryAfterSeconds: 30 });
    const stream = await openStream(s);
    const full = await fetch(new URL('/sse', s.url));
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('30');
    expect((await full.json()).error.message).toContain('capacity');
    expect(await s.sessions.count()).toBe(1);

    const unknown = await postPing(s, randomUUID());
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: { data: { code: 'SESSION_NOT_FOUND' } },
      id: 3,
    });
    const missing = await fetch(new URL('/messages', s.url), { method: 'POST' });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toContain('sessionId');

    await s.sessions.end(stream.sessionId, 'deleted');
    const expired = await postPing(s, stream.sessionId);
    expect(expired.status).toBe(404);
    expect(expired.headers.get('x-session-expired-reason')).toBe('deleted');
    expect(await expired.json()).toMatchObject({
      error: { data: { code: 'SESSION_EXPIRED', reason: 'deleted' } },
    });
  });

  it('refuses a POST for a session of another kind without pinning it', async () => {
    const clock = new ManualClock();
    const s = await setup({ clock, autoStart: false });
    const other = await s.sessions.create({ kind: 'streamable-http' });
    const answer = await postPing(s, other.id);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message:
          'This session belongs to the streamable-http transport, not sse; send its requests through the transport that created it.',
      },
      id: 3,
    });
    expect((await s.sessions.stats()).pinned).toBe(0);
    expect((await s.sessions.resolve(other.id)).status).toBe('active');
  });
});

describe('SseGate, directly', () => {
  /** A response that records what was written. */
  function fakeResponse(): ServerResponse & { written: { status?: number; body?: string } } {
    const written: { status?: number; body?: string } = {};
    const res = {
      headersSent: false,
      destroyed: false,
      writableEnded: false,
      written,
      writeHead(status: number) {
        written.status = status;
        return res;
      },
      end(body?: string) {
        if (body !== undefined) written.body = body;
        res.writableEnded = true;
        return res;
      },
      once() {
        return res;
      },
      on() {
        return res;
      },
      write() {
        return true;
      },
    };
    return res as unknown as ServerResponse & typeof res;
  }

  it('attach answers 503 and registers nothing when the manager is closed', async () => {
    const sessions = new SessionManager({ autoStart: false });
    await sessions.close();
    const gate = new SseGate({ sessions });
    const res = fakeResponse();
    const transport = { sessionId: randomUUID(), close: async () => undefined };
    const req = { headers: {} } as IncomingMessage;
    expect(await gate.attach({ transport, req, res })).toBeUndefined();
    expect(res.written.status).toBe(503);
  });

  it('attach answers 400 for a transport ID the manager does not accept', async () => {
    const sessions = new SessionManager({ autoStart: false });
    const gate = new SseGate({ sessions });
    const res = fakeResponse();
    const transport = { sessionId: 'bad id', close: async () => undefined };
    expect(await gate.attach({ transport, req: { headers: {} } as IncomingMessage, res })).toBe(
      undefined,
    );
    expect(res.written.status).toBe(400);
    expect(await sessions.count()).toBe(0);
    await sessions.close();
  });

  it('asks ownerOf with the authInfo and the request, and binds the session to it', async () => {
    const sessions = new SessionManager({ autoStart: false });
    const seen: unknown[][] = [];
    const gate = new SseGate({
      sessions,
      keepAliveMs: 0,
      ownerOf: (authInfo, req) => {
        seen.push([authInfo, req.method, req.url, req.headers.get('x-tenant')]);
        return `${authInfo?.clientId}:${req.headers.get('x-tenant')}`;
      },
    });
    const auth = { token: 't', clientId: 'client-1', scopes: [] };
    const req = {
      method: 'GET',
      url: '/sse',
      headers: { host: '127.0.0.1:8080', 'x-tenant': 'acme' },
      rawHeaders: ['Host', '127.0.0.1:8080', 'X-Tenant', 'acme'],
      auth,
    } as unknown as IncomingMessage;
    const transport = { sessionId: randomUUID(), close: async () => undefined };
    const session = await gate.attach({ transport, req, res: fakeResponse() });
    expect(session).toMatchObject({ id: transport.sessionId, owner: 'client-1:acme', kind: 'sse' });
    expect(seen).toEqual([[auth, 'GET', 'http://127.0.0.1:8080/sse', 'acme']]);
    await sessions.close();
  });

  it('takes the owner from req.auth by default', async () => {
    const sessions = new SessionManager({ autoStart: false });
    const gate = new SseGate({ sessions, keepAliveMs: 0 });
    const auth = { token: 't', clientId: 'client-9', scopes: [] };
    const transport = { sessionId: randomUUID(), close: async () => undefined };
    const req = { headers: {}, auth } as unknown as IncomingMessage;
    expect(await gate.attach({ transport, req, res: fakeResponse() })).toMatchObject({
      owner: 'client-9',
    });
    const post = {
      headers: {},
      url: `/messages?sessionId=${transport.sessionId}`,
      auth: { ...auth, clientId: 'client-other' },
    } as unknown as IncomingMessage;
    const res = fakeResponse();
    expect(await gate.admit(post, res)).toBeUndefined();
    expect(res.written.status).toBe(404);
    expect(JSON.parse(res.written.body!).error.data).toEqual({ code: 'SESSION_NOT_FOUND' });
    await sessions.close();
  });

  it('a throwing owner function answers 500 with the JSON-RPC body, like the Streamable HTTP gate', async () => {
    const sessions = new SessionManager({ autoStart: false });
    const gate = new SseGate({
      sessions,
      ownerOf: () => {
        throw new Error('no principal');
      },
    });
    const req = {
      method: 'POST',
      headers: { host: '127.0.0.1' },
      rawHeaders: ['Host', '127.0.0.1'],
      url: `/messages?sessionId=${randomUUID()}`,
    } as unknown as IncomingMessage;
    const posted = fakeResponse();
    expect(
      await gate.admit(req, posted, { jsonrpc: '2.0', id: 4, method: 'ping' }),
    ).toBeUndefined();
    expect(posted.written.status).toBe(500);
    expect(JSON.parse(posted.written.body!)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32603, message: 'Internal error' },
      id: 4,
    });
    const stream = fakeResponse();
    const transport = { sessionId: randomUUID(), close: async () => undefined };
    expect(
      await gate.attach({
        transport,
        req: { ...req, method: 'GET' } as IncomingMessage,
        res: stream,
      }),
    ).toBeUndefined();
    expect(stream.written.status).toBe(500);
    expect(JSON.parse(stream.written.body!).error.code).toBe(-32603);
    expect(await sessions.count()).toBe(0);
    await sessions.close();
  });
});
