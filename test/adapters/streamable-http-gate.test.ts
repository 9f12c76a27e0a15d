import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import {
  type NodeRequest,
  StreamableHttpGate,
  type StreamableHttpGateOptions,
} from '../../src/adapters/streamable-http/index.js';
import {
  SessionError,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import {
  callRequest,
  initializeRequest,
  postHeaders,
  rawInitialize,
  rawPost,
  waitFor,
} from '../support/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The SDK's example server (a Map of transports), plus the gate. */
async function exampleServer(
  managerOptions: SessionManagerOptions = {},
  gateOptions: Omit<StreamableHttpGateOptions, 'sessions'> = {},
) {
  const clock = new ManualClock();
  const sessions = new SessionManager({
    clock,
    idleTtlMs: 1000,
    autoStart: false,
    ...managerOptions,
  });
  const gate = new StreamableHttpGate({ sessions, ...gateOptions });
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const admitted: SessionRecord[] = [];
  let closedServers = 0;

  const app = express();
  // Stands in for the SDK's bearer auth middleware: `req.auth` from the token.
  app.use((req, _res, next) => {
    const token = req.headers.authorization?.replace('Bearer ', '');
    if (token !== undefined) {
      (req as NodeRequest).auth = { token, clientId: `client-${token}`, scopes: [] };
    }
    next();
  });
  app.all('/mcp', express.json(), async (req, res) => {
    const pass = await gate.admit(req, res);
    if (pass === undefined) return;
    admitted.push(pass.session);
    let transport = transports.get(pass.sessionId);
    if (transport === undefined) {
      transport = new StreamableHTTPServerTransport(pass.transportOptions());
      transports.set(pass.sessionId, transport);
      const server = createDemoServer();
      pass.closeOnEnd(transport, server, () => {
        closedServers++;
        transports.delete(pass.sessionId);
      });
      await server.connect(transport);
    }
    await transport.handleRequest(req, res, pass.body);
  });
  const http = await new Promise<HttpServer>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  const clients: Client[] = [];
  cleanups.push(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await sessions.close();
    expect(transports.size).toBe(0);
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  });
  return {
    url,
    sessions,
    clock,
    transports,
    admitted,
    closed: () => closedServers,
    async connect() {
      const client = new Client({ name: 'gate', version: '1' });
      clients.push(client);
      const transport = new StreamableHTTPClientTransport(new URL(url));
      await client.connect(transport);
      return { client, transport };
    },
  };
}

describe('StreamableHttpGate (the SDK example server plus a few lines)', () => {
  it('validates its options', () => {
    expect(() => new StreamableHttpGate({} as never)).toThrow(SessionError);
    const sessions = new SessionManager({ autoStart: false });
    cleanups.push(() => sessions.close());
    expect(() => new StreamableHttpGate({ sessions, keepAliveMs: -5 })).toThrow(
      /`keepAliveMs`.*got -5/,
    );
  });

  it('serves the SDK client and registers the session with kind and stored initialize', async () => {
    const server = await exampleServer();
    const { client, transport } = await server.connect();
    const result = (await client.callTool({ name: 'counter', arguments: {} })) as {
      content: { text: string }[];
    };
    expect(result.content[0]?.text).toBe('1');
    const resolution = await server.sessions.resolve(transport.sessionId!);
    expect(resolution.status).toBe('active');
    if (resolution.status !== 'active') return;
    expect(resolution.session.kind).toBe('streamable-http');
    expect(JSON.parse(resolution.session.init!).method).toBe('initialize');
    expect(server.transports.size).toBe(1);
    // Every admission hands out a detached copy with every field, new session or not.
    expect(server.admitted.length).toBeGreaterThanOrEqual(2);
    for (const session of server.admitted) {
      expect(Object.getPrototypeOf(session)).toBe(Object.prototype);
      expect(session).toMatchObject({ id: transport.sessionId, kind: 'streamable-http' });
      expect(JSON.parse(session.init!).method).toBe('initialize');
    }
  });

  it('answers 400, 404 and the expiry headers the bare SDK cannot', async () => {
    const server = await exampleServer();
    expect((await rawPost(server.url, undefined, callRequest('counter', {}, 1))).status).toBe(400);
    expect((await rawPost(server.url, 'bad id', callRequest('counter'))).status).toBe(400);
    const unknown = await rawPost(server.url, 'nope', callRequest('counter', {}, 8));
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { data: { code: 'SESSION_NOT_FOUND' } }, id: 8 });

    const id = await rawInitialize(server.url);
    server.clock.advance(1001);
    await server.sessions.sweep();
    expect(server.transports.size).toBe(0);
    expect(server.closed()).toBe(1);
    const expired = await rawPost(server.url, id, callRequest('counter'));
    expect(expired.status).toBe(404);
    expect(expired.headers.get('x-session-expired-reason')).toBe('idle');
  });

  it('ends the session on DELETE and closes its transport and server', async () => {
    const server = await exampleServer();
    const { transport } = await server.connect();
    const id = transport.sessionId!;
    await transport.terminateSession();
    const resolution = await server.sessions.resolve(id);
    expect(resolution.status === 'ended' && resolution.tombstone.reason).toBe('deleted');
    await waitFor(() => server.transports.size === 0);
    expect(server.closed()).toBe(1);
  });

  it('pins a session while a GET stream is open', async () => {
    const server = await exampleServer();
    const id = await rawInitialize(server.url);
    const abort = new AbortController();
    const get = await fetch(server.url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      signal: abort.signal,
    });
    expect(get.status).toBe(200);
    server.clock.advance(5000);
    await server.sessions.sweep();
    expect((await server.sessions.resolve(id)).status).toBe('active');
    abort.abort();
    await waitFor(async () => (await server.sessions.stats()).pinned === 0);
  });

  it('answers 503 when the store fails at initialize, building no transport; the ID stays 404', async () => {
    const store = new FaultyStore();
    let generated = '';
    const server = await exampleServer({
      store,
      generateId: () => (generated = `gate-fixed-${randomUUID()}`),
    });
    store.failing = true;
    const init = await fetch(server.url, {
      method: 'POST',
      headers: {
        accept: 'application/json, text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify(initializeRequest()),
    });
    expect(init.status).toBe(503);
    expect(init.headers.get('retry-after')).toBe('5');
    await init.text();
    expect(server.transports.size).toBe(0);
    store.failing = false;
    const later = await rawPost(server.url, generated, callRequest('counter'));
    expect(later.status).toBe(404);
  });

  it('binds sessions to the owner from req.auth by default', async () => {
    const server = await exampleServer();
    const alice = await rawInitializeWith(server.url, { authorization: 'Bearer alice' });
    const resolution = await server.sessions.resolve(alice, { owner: 'client-alice' });
    expect(resolution.status).toBe('active');
    const asBob = await rawPostWith(server.url, alice, { authorization: 'Bearer bob' });
    const asNobody = await rawPostWith(server.url, alice, {});
    const unknown = await rawPostWith(server.url, 'never-seen', {});
    for (const answer of [asBob, asNobody]) {
      expect(answer.status).toBe(404);
      expect(answer.text).toBe(unknown.text);
    }
    expect((await rawPostWith(server.url, alice, { authorization: 'Bearer alice' })).status).toBe(
      200,
    );
  });

  it('asks ownerOf with the authInfo and the request', async () => {
    const seen: unknown[] = [];
    const server = await exampleServer(
      {},
      {
        ownerOf: (authInfo, req) => {
          seen.push(authInfo?.clientId);
          return req.headers.get('x-user') ?? undefined;
        },
      },
    );
    const id = await rawInitializeWith(server.url, {
      authorization: 'Bearer alice',
      'x-user': 'carol',
    });
    expect(seen).toEqual(['client-alice']);
    const resolution = await server.sessions.resolve(id, { owner: 'carol' });
    expect(resolution.status).toBe('active');
    expect((await rawPostWith(server.url, id, { 'x-user': 'dave' })).status).toBe(404);
    expect((await rawPostWith(server.url, id, { 'x-user': 'carol' })).status).toBe(200);
  });

  it('answers 400 to a session of another transport kind, without pinning it', async () => {
    const server = await exampleServer();
    const other = await server.sessions.create({ kind: 'sse' });
    const answer = await rawPost(server.url, other.id, callRequest('counter', {}, 12));
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message:
          'This session belongs to the sse transport, not streamable-http; send its requests through the transport that created it.',
      },
      id: 12,
    });
    expect((await server.sessions.stats()).pinned).toBe(0);
    expect(server.transports.size).toBe(0);
    expect((await server.sessions.resolve(other.id)).status).toBe('active');
  });

  it('answers 503 at capacity', async () => {
    const server = await exampleServer({ maxSessions: 1 });
    await rawInitialize(server.url);
    await expect(rawInitialize(server.url)).rejects.toThrow(/503/);
    expect(server.transports.size).toBe(1);
  });
});

async function rawInitializeWith(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...postHeaders(), ...headers },
    body: JSON.stringify(initializeRequest()),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('mcp-session-id')!;
}

async function rawPostWith(
  url: string,
  sessionId: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...postHeaders(sessionId), ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'ping' }),
  });
  return { status: response.status, text: await response.text() };
}
