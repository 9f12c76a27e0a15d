import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import {
  StreamableHttpHandler,
  type StreamableHttpHandlerOptions,
} from '../../src/adapters/streamable-http/index.js';
import {
  MemoryStore,
  SessionError,
  SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import {
  callRequest,
  initializeRequest,
  postHeaders,
  rawInitialize,
  rawPost,
  readAnswer,
  waitFor,
} from '../support/harness.js';

const URL_ = 'http://127.0.0.1/mcp';

interface Setup {
  sessions: SessionManager;
  handler: StreamableHttpHandler;
  clock: ManualClock;
  built: McpServer[];
  closed: McpServer[];
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(
  managerOptions: SessionManagerOptions = {},
  handlerOptions: Omit<StreamableHttpHandlerOptions, 'sessions' | 'createServer'> = {},
  createServer: StreamableHttpHandlerOptions['createServer'] = createDemoServer,
): Setup {
  const clock = new ManualClock();
  const sessions = new SessionManager({
    clock,
    idleTtlMs: 1000,
    autoStart: false,
    ...managerOptions,
  });
  const built: McpServer[] = [];
  const closed: McpServer[] = [];
  const handler = new StreamableHttpHandler({
    ...handlerOptions,
    sessions,
    createServer: async (session) => {
      const server = (await createServer(session)) as McpServer;
      built.push(server);
      server.server.onclose = () => closed.push(server);
      return server;
    },
  });
  cleanups.push(async () => {
    await sessions.close();
    await handler.close();
    expect(handler.size).toBe(0);
    expect(closed.length).toBe(built.length);
  });
  return { sessions, handler, clock, built, closed };
}

function post(sessionId: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return new Request(URL_, {
    method: 'POST',
    headers: { ...postHeaders(sessionId), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function initialize(
  handler: StreamableHttpHandler,
  options: { authInfo?: AuthInfo; headers?: Record<string, string> } = {},
): Promise<string> {
  const response = await handler.fetch(
    post(undefined, initializeRequest(), options.headers),
    options.authInfo === undefined ? {} : { authInfo: options.authInfo },
  );
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('mcp-session-id')!;
}

async function json(response: Response): Promise<{
  id?: unknown;
  result?: { content: { text: string }[] };
  error?: { code: number; message: string; data?: Record<string, unknown> };
}> {
  return (await readAnswer(response)) as never;
}

function auth(clientId: string): AuthInfo {
  return { token: `t-${clientId}`, clientId, scopes: [] };
}

describe('StreamableHttpHandler options', () => {
  it('rejects bad options with INVALID_OPTION naming the field and the accepted range', () => {
    const sessions = new SessionManager({ autoStart: false });
    cleanups.push(() => sessions.close());
    const make = (options: unknown) =>
      new StreamableHttpHandler(options as StreamableHttpHandlerOptions);
    const failure = (options: unknown) => {
      try {
        make(options);
      } catch (error) {
        expect(error).toBeInstanceOf(SessionError);
        expect((error as SessionError).code).toBe('INVALID_OPTION');
        return (error as SessionError).message;
      }
      throw new Error('expected the constructor to throw');
    };
    expect(failure({ createServer: createDemoServer })).toMatch(/`sessions`.*SessionManager/);
    expect(failure({ sessions })).toMatch(/`createServer`.*function/);
    expect(failure({ sessions, createServer: createDemoServer, keepAliveMs: -1 })).toMatch(
      /`keepAliveMs`.*from 0 \(off\).*got -1/,
    );
    expect(failure({ sessions, createServer: createDemoServer, retryAfterSeconds: 0.5 })).toMatch(
      /`retryAfterSeconds`/,
    );
    expect(failure({ sessions, createServer: createDemoServer, idleTtl: 5 })).toMatch(
      /Unknown StreamableHttpHandler option `idleTtl`; accepted options: sessions, createServer/,
    );
    expect(failure(null)).toMatch(/must be an object/);
  });
});

describe('StreamableHttpHandler (web front door)', () => {
  it('initializes a session with owner, kind and the stored initialize request', async () => {
    const { handler, sessions, built } = setup();
    const id = await initialize(handler, { authInfo: auth('alice') });
    const resolution = await sessions.resolve(id, { owner: 'alice' });
    expect(resolution.status).toBe('active');
    if (resolution.status !== 'active') return;
    expect(resolution.session.kind).toBe('streamable-http');
    expect(resolution.session.owner).toBe('alice');
    expect(JSON.parse(resolution.session.init!)).toEqual(initializeRequest());
    expect(built.length).toBe(1);
    expect(handler.size).toBe(1);
  });

  it('answers 400 to requests without a session header other than initialize, creating nothing', async () => {
    const { handler, sessions, built } = setup();
    const noHeader = await handler.fetch(post(undefined, callRequest('echo', { text: 'x' }, 'r1')));
    expect(noHeader.status).toBe(400);
    const body = await json(noHeader);
    expect(body.error?.code).toBe(-32000);
    expect(body.id).toBe('r1');
    const get = await handler.fetch(
      new Request(URL_, { headers: { accept: 'text/event-stream' } }),
    );
    expect(get.status).toBe(400);
    await get.text();
    const del = await handler.fetch(new Request(URL_, { method: 'DELETE' }));
    expect(del.status).toBe(400);
    await del.text();
    expect(await sessions.count()).toBe(0);
    expect(built.length).toBe(0);
    expect(handler.size).toBe(0);
  });

  it('answers 400 to a malformed session ID and 404 SESSION_NOT_FOUND to an unknown one', async () => {
    const { handler } = setup();
    const malformed = await handler.fetch(post('bad id', callRequest('echo', { text: 'x' }, 3)));
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error?.message).toMatch(/malformed Mcp-Session-Id/);
    const unknown = await handler.fetch(post('never-seen', callRequest('echo', { text: 'x' }, 4)));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-session-expired')).toBeNull();
    expect(await json(unknown)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32001, message: 'Session not found', data: { code: 'SESSION_NOT_FOUND' } },
      id: 4,
    });
  });

  it('answers another owner’s session exactly like an unknown one', async () => {
    const { handler } = setup();
    const id = await initialize(handler, { authInfo: auth('alice') });
    const mine = await handler.fetch(post(id, callRequest('echo', { text: 'x' })), {
      authInfo: auth('alice'),
    });
    expect(mine.status).toBe(200);
    await mine.text();
    const theirs = await handler.fetch(post(id, callRequest('echo', { text: 'x' })), {
      authInfo: auth('mallory'),
    });
    const anonymous = await handler.fetch(post(id, callRequest('echo', { text: 'x' })));
    const unknown = await handler.fetch(post('never-seen', callRequest('echo', { text: 'x' })));
    const bodies = await Promise.all([theirs.text(), anonymous.text(), unknown.text()]);
    expect([theirs.status, anonymous.status, unknown.status]).toEqual([404, 404, 404]);
    expect(new Set(bodies).size).toBe(1);
  });

  it('takes the owner from ownerOf when given', async () => {
    const { handler } = setup(
      {},
      { ownerOf: (_auth, request) => request.headers.get('x-user') ?? undefined },
    );
    const id = await initialize(handler, { headers: { 'x-user': 'bob' } });
    const bob = await handler.fetch(post(id, callRequest('counter'), { 'x-user': 'bob' }));
    expect(bob.status).toBe(200);
    await bob.text();
    const eve = await handler.fetch(post(id, callRequest('counter'), { 'x-user': 'eve' }));
    expect(eve.status).toBe(404);
    expect((await json(eve)).error?.data).toEqual({ code: 'SESSION_NOT_FOUND' });
  });

  it('touches on notification-only POSTs (202) and pins each request until its answer is read', async () => {
    const { handler, sessions, clock } = setup();
    const id = await initialize(handler);
    clock.advance(600);
    const note = await handler.fetch(
      post(id, { jsonrpc: '2.0', method: 'notifications/initialized' }),
    );
    expect(note.status).toBe(202);
    const touched = await sessions.resolve(id);
    expect(touched.status === 'active' && touched.session.lastSeenAt).toBe(clock.now());

    const call = await handler.fetch(post(id, callRequest('echo', { text: 'x' })));
    expect(call.status).toBe(200);
    expect((await sessions.stats()).pinned).toBe(1);
    clock.advance(5000);
    await sessions.sweep();
    expect((await sessions.resolve(id)).status).toBe('active');
    expect((await json(call)).result?.content[0]?.text).toBe('x');
    await waitFor(async () => (await sessions.stats()).pinned === 0);
    const released = await sessions.resolve(id);
    expect(released.status === 'active' && released.session.lastSeenAt).toBe(clock.now());
    clock.advance(1001);
    await sessions.sweep();
    const ended = await sessions.resolve(id);
    expect(ended.status === 'ended' && ended.tombstone.reason).toBe('idle');
    expect(handler.size).toBe(0);
  });

  it('pins a session while its GET stream is open; idle time starts when it closes', async () => {
    const { handler, sessions, clock, closed } = setup();
    const id = await initialize(handler);
    const stream = await handler.fetch(
      new Request(URL_, { headers: { accept: 'text/event-stream', 'mcp-session-id': id } }),
    );
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    clock.advance(10_000);
    await sessions.sweep();
    expect((await sessions.resolve(id)).status).toBe('active');
    await stream.body!.cancel();
    await waitFor(async () => (await sessions.stats()).pinned === 0);
    clock.advance(999);
    await sessions.sweep();
    expect((await sessions.resolve(id)).status).toBe('active');
    clock.advance(2);
    await sessions.sweep();
    expect((await sessions.resolve(id)).status).toBe('ended');
    expect(closed.length).toBe(1);
  });

  it('writes keep-alive comments on GET streams at keepAliveMs', async () => {
    const { handler } = setup({ clock: { now: () => Date.now() } }, { keepAliveMs: 20 });
    const id = await initialize(handler);
    const stream = await handler.fetch(
      new Request(URL_, { headers: { accept: 'text/event-stream', 'mcp-session-id': id } }),
    );
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    const deadline = Date.now() + 2000;
    while (!seen.includes(': keepalive\n\n') && Date.now() < deadline) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    await reader.cancel();
    expect(seen).toContain(': keepalive\n\n');
  });

  it('DELETE touches, ends the session with reason deleted and closes transport and server', async () => {
    const { handler, sessions, closed } = setup();
    const id = await initialize(handler);
    const del = await handler.fetch(
      new Request(URL_, { method: 'DELETE', headers: { 'mcp-session-id': id } }),
    );
    expect(del.status).toBe(200);
    expect(closed.length).toBe(1);
    expect(handler.size).toBe(0);
    const after = await handler.fetch(post(id, callRequest('counter', {}, 'z')));
    expect(after.status).toBe(404);
    expect(after.headers.get('x-session-expired')).toBe('true');
    expect(after.headers.get('x-session-expired-reason')).toBe('deleted');
    const body = await json(after);
    expect(body.id).toBe('z');
    expect(body.error?.data).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'deleted' });
    expect((await sessions.stats()).ended.deleted).toBe(1);
  });

  it('closes transport and server on lifetime end, eviction and manager shutdown', async () => {
    const lifetime = setup({ maxLifetimeMs: 5000, idleTtlMs: 0 });
    await initialize(lifetime.handler);
    lifetime.clock.advance(5000);
    await lifetime.sessions.sweep();
    expect(lifetime.closed.length).toBe(1);
    expect(lifetime.handler.size).toBe(0);

    const evict = setup({ maxSessions: 1, capacityPolicy: 'evict-oldest' });
    const first = await initialize(evict.handler);
    evict.clock.advance(1);
    await initialize(evict.handler);
    expect(evict.closed.length).toBe(1);
    const gone = await evict.handler.fetch(post(first, callRequest('counter')));
    expect(gone.headers.get('x-session-expired-reason')).toBe('evicted');
    await gone.text();

    const shutdown = setup();
    await initialize(shutdown.handler);
    await initialize(shutdown.handler);
    await shutdown.sessions.close();
    expect(shutdown.closed.length).toBe(2);
    expect(shutdown.handler.size).toBe(0);
    const later = await shutdown.handler.fetch(post(undefined, initializeRequest()));
    expect(later.status).toBe(503);
    await later.text();
  });

  it('answers 503 with Retry-After at capacity, before building anything', async () => {
    const { handler, built } = setup({ maxSessions: 1 }, { retryAfterSeconds: 7 });
    await initialize(handler);
    const full = await handler.fetch(post(undefined, initializeRequest(11)));
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('7');
    const body = await json(full);
    expect(body.error?.code).toBe(-32000);
    expect(body.id).toBe(11);
    expect(built.length).toBe(1);
  });

  it('answers 503 with Retry-After while the store is unreachable, and deletes nothing', async () => {
    const store = new FaultyStore();
    const { handler, sessions } = setup({ store });
    const id = await initialize(handler);
    store.failing = true;
    const down = await handler.fetch(post(id, callRequest('counter')));
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect((await json(down)).error?.message).toMatch(/store unavailable/);
    store.failing = false;
    const up = await handler.fetch(post(id, callRequest('counter')));
    expect(up.status).toBe(200);
    expect((await json(up)).result?.content[0]?.text).toBe('1');
    expect(handler.size).toBe(1);
    expect(await sessions.count()).toBe(1);
  });

  it('answers 503 when the store fails during initialize; that ID later answers 404, never 200', async () => {
    const store = new FaultyStore();
    let generated = '';
    const { handler, built } = setup({
      store,
      generateId: () => (generated = `fixed-session-${randomUUID()}`),
    });
    store.failing = true;
    const failed = await handler.fetch(post(undefined, initializeRequest()));
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('5');
    await failed.text();
    expect(built.length).toBe(0);
    expect(handler.size).toBe(0);
    store.failing = false;
    const later = await handler.fetch(post(generated, callRequest('counter')));
    expect(later.status).toBe(404);
    expect((await json(later)).error?.data).toEqual({ code: 'SESSION_NOT_FOUND' });
  });

  it('ends the session when its server cannot be built: 500, then 404, never 200', async () => {
    let doomed = '';
    const { handler, sessions } = setup(
      { generateId: () => (doomed = `doomed-session-${randomUUID()}`) },
      {
        logger: {},
      },
      () => {
        throw new Error('factory broke');
      },
    );
    const failed = await handler.fetch(post(undefined, initializeRequest()));
    expect(failed.status).toBe(500);
    expect(await failed.text()).not.toContain('factory broke');
    const later = await handler.fetch(post(doomed, callRequest('counter')));
    expect(later.status).toBe(404);
    await later.text();
    expect(handler.size).toBe(0);
    expect(await sessions.count()).toBe(0);
  });

  it('ends the session when the transport refuses the initialize request', async () => {
    const { handler, sessions, closed } = setup(
      {},
      {
        transportOptions: () => ({
          enableDnsRebindingProtection: true,
          allowedHosts: ['elsewhere.example'],
        }),
      },
    );
    const refused = await handler.fetch(post(undefined, initializeRequest()));
    expect(refused.status).toBe(403);
    await refused.text();
    expect(await sessions.count()).toBe(0);
    expect(closed.length).toBe(1);
    expect(handler.size).toBe(0);
  });

  it('answers 400 to a session of another transport kind', async () => {
    const { handler, sessions } = setup();
    const other = await sessions.create({ kind: 'sse' });
    const answer = await handler.fetch(post(other.id, callRequest('counter', {}, 12)));
    expect(answer.status).toBe(400);
    expect(await json(answer)).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message:
          'This session belongs to the sse transport, not streamable-http; send its requests through the transport that created it.',
      },
      id: 12,
    });
    expect((await sessions.stats()).pinned).toBe(0);
  });

  it('answers 405, 413 and a parse error without touching sessions', async () => {
    const { handler } = setup({}, { maxRequestBodySize: 64 });
    const put = await handler.fetch(new Request(URL_, { method: 'PUT' }));
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
    await put.text();
    const big = await handler.fetch(post(undefined, { jsonrpc: '2.0', method: 'x'.repeat(100) }));
    expect(big.status).toBe(413);
    await big.text();
    const garbage = await handler.fetch(post(undefined, '{not json'));
    expect(garbage.status).toBe(400);
    expect((await json(garbage)).error?.code).toBe(-32700);
  });

  it('never mixes up answers of concurrent requests with the same JSON-RPC id on two sessions', async () => {
    let arrived = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { handler } = setup({}, {}, (session) => {
      const server = createDemoServer(session);
      const tag = session.id;
      server.registerTool('barrier', { description: 'waits for two calls' }, async () => {
        if (++arrived === 2) open();
        await gate;
        return { content: [{ type: 'text', text: tag }] };
      });
      return server;
    });
    const [a, b] = await Promise.all([initialize(handler), initialize(handler)]);
    expect(a).not.toBe(b);
    const [ra, rb] = await Promise.all([
      handler.fetch(post(a, callRequest('barrier', {}, 42))),
      handler.fetch(post(b, callRequest('barrier', {}, 42))),
    ]);
    const [ja, jb] = await Promise.all([json(ra), json(rb)]);
    expect(arrived).toBe(2);
    expect(ja.id).toBe(42);
    expect(jb.id).toBe(42);
    expect(ja.result?.content[0]?.text).toBe(a);
    expect(jb.result?.content[0]?.text).toBe(b);
  });

  it('restores a session made by another replica from its stored initialize request', async () => {
    const store = new MemoryStore();
    const one = setup({ store });
    const two = setup({ store });
    const id = await initialize(one.handler);
    const first = await one.handler.fetch(post(id, callRequest('counter')));
    expect((await json(first)).result?.content[0]?.text).toBe('1');

    const [x, y] = await Promise.all([
      two.handler.fetch(post(id, callRequest('echo', { text: 'a' }, 1))),
      two.handler.fetch(post(id, callRequest('echo', { text: 'b' }, 2))),
    ]);
    expect((await json(x)).result?.content[0]?.text).toBe('a');
    expect((await json(y)).result?.content[0]?.text).toBe('b');
    expect(two.built.length).toBe(1);
    expect(two.handler.size).toBe(1);
    const get = await two.handler.fetch(
      new Request(URL_, { headers: { accept: 'text/event-stream', 'mcp-session-id': id } }),
    );
    expect(get.status).toBe(200);
    await get.body!.cancel();

    const del = await two.handler.fetch(
      new Request(URL_, { method: 'DELETE', headers: { 'mcp-session-id': id } }),
    );
    expect(del.status).toBe(200);
    expect(two.handler.size).toBe(0);
    const stale = await one.handler.fetch(post(id, callRequest('counter')));
    expect(stale.status).toBe(404);
    expect(stale.headers.get('x-session-expired-reason')).toBe('deleted');
    await stale.text();
    expect(one.handler.size).toBe(0);
    expect(one.closed.length).toBe(1);
  });

  it('close() closes its transports without ending sessions, then answers 503', async () => {
    const { handler, sessions, closed } = setup();
    const id = await initialize(handler);
    await handler.close();
    expect(closed.length).toBe(1);
    expect((await sessions.resolve(id)).status).toBe('active');
    const after = await handler.fetch(post(id, callRequest('counter')));
    expect(after.status).toBe(503);
    await after.text();
  });
});

describe('StreamableHttpHandler (node front door)', () => {
  async function listen(app: express.Express): Promise<{ url: string; server: HttpServer }> {
    const server = await new Promise<HttpServer>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
  }

  it('works as Express 5 middleware, with and without express.json()', async () => {
    for (const parse of [true, false]) {
      const { handler, sessions } = setup();
      const app = express();
      if (parse) app.all('/mcp', express.json(), handler.node);
      else app.all('/mcp', handler.node);
      const { url } = await listen(app);
      const id = await rawInitialize(url);
      const first = await rawPost(url, id, callRequest('counter', {}, 5));
      expect(first.status).toBe(200);
      expect(JSON.stringify(first.json)).toContain('"text":"1"');
      const noHeader = await rawPost(url, undefined, callRequest('counter', {}, 6));
      expect(noHeader.status).toBe(400);
      expect((noHeader.json as { id: unknown }).id).toBe(6);
      await sessions.end(id);
      const ended = await rawPost(url, id, callRequest('counter'));
      expect(ended.status).toBe(404);
      expect(ended.headers.get('x-session-expired-reason')).toBe('closed');
    }
  });

  it('passes req.auth as authInfo, so the owner is its clientId', async () => {
    const { handler, sessions } = setup();
    const app = express();
    app.use((req, _res, next) => {
      const user = req.headers['x-user'];
      if (typeof user === 'string') (req as { auth?: AuthInfo }).auth = auth(user);
      next();
    });
    app.all('/mcp', handler.node);
    const { url } = await listen(app);
    const init = await fetch(url, {
      method: 'POST',
      headers: { ...postHeaders(), 'x-user': 'carol' },
      body: JSON.stringify(initializeRequest()),
    });
    await init.text();
    const id = init.headers.get('mcp-session-id')!;
    const resolution = await sessions.resolve(id, { owner: 'carol' });
    expect(resolution.status).toBe('active');
    const stranger = await rawPost(url, id, callRequest('counter'));
    expect(stranger.status).toBe(404);
  });

  it('streams a GET over node:http and releases the pin when the client disconnects', async () => {
    const { handler, sessions } = setup();
    const app = express();
    app.all('/mcp', handler.node);
    const { url } = await listen(app);
    const id = await rawInitialize(url);
    const abort = new AbortController();
    const get = await fetch(url, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      signal: abort.signal,
    });
    expect(get.status).toBe(200);
    expect((await sessions.stats()).pinned).toBe(1);
    abort.abort();
    await waitFor(async () => (await sessions.stats()).pinned === 0);
    expect((await sessions.resolve(id)).status).toBe('active');
  });

  it('answers 413 and parse errors from the node door', async () => {
    const { handler } = setup({}, { maxRequestBodySize: 32 });
    const app = express();
    app.all('/mcp', handler.node);
    const { url } = await listen(app);
    const big = await rawPost(url, undefined, { jsonrpc: '2.0', method: 'y'.repeat(64) });
    expect(big.status).toBe(413);
    const bad = await fetch(url, { method: 'POST', headers: postHeaders(), body: '{' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });
});
