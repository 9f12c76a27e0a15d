import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KEEP_ALIVE_FRAME } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import type { SessionRecord } from '../../src/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import { toolText, untilPinned } from '../support/harness.js';
import {
  connectSse as connect,
  endedWith,
  openRawStream,
  passTime,
  ping,
  post,
  type RpcErrorBody,
  SSE_TTL,
  startSse as start,
} from '../support/sse-harness.js';
import { wait, waitFor } from '../support/wait.js';

// Interval timers are unref()'d, so the runtime's resource list does not show them: count the
// ones created through the global functions (the library's sweeper and keep-alive timers).
const liveIntervals = new Set<unknown>();
const realSetInterval = globalThis.setInterval;
const realClearInterval = globalThis.clearInterval;

beforeAll(() => {
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => {
    const timer = realSetInterval(...args);
    liveIntervals.add(timer);
    return timer;
  }) as typeof setInterval;
  globalThis.clearInterval = ((timer: Parameters<typeof clearInterval>[0]) => {
    liveIntervals.delete(timer);
    realClearInterval(timer);
  }) as typeof clearInterval;
});

afterAll(() => {
  globalThis.setInterval = realSetInterval;
  globalThis.clearInterval = realClearInterval;
});

beforeEach(({ onTestFinished }) => {
  // Registered before any harness, so it runs after every harness closed.
  onTestFinished(() => {
    expect(liveIntervals.size).toBe(0);
  });
});

/** The 400 body both transports answer for a session of the other kind, for `ping`. */
function wrongKindBody(kind: string, expected: string): RpcErrorBody {
  return {
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: `This session belongs to the ${kind} transport, not ${expected}; send its requests through the transport that created it.`,
    },
    id: 41,
  };
}

// ---------------------------------------------------------------------------------------------

describe('legacy HTTP+SSE handler with the real SDK client', () => {
  it('creates a session per stream and calls tools on it', async () => {
    const h = await start();
    const { client, sessionId } = await connect(h);
    expect(await toolText(client, 'echo', { text: 'hello' })).toBe('hello');
    expect(await toolText(client, 'whoami')).toBe(sessionId);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toContain('counter');
    const resolution = await h.manager.resolve(sessionId);
    expect(resolution.status).toBe('active');
    expect(resolution.status === 'active' && resolution.session.kind).toBe('sse');
    expect(h.handler.size).toBe(1);
  });

  it('keeps per-session state apart between two clients', async () => {
    const h = await start();
    const a = await connect(h);
    const b = await connect(h);
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(await toolText(a.client, 'counter')).toBe('1');
    expect(await toolText(a.client, 'counter')).toBe('2');
    expect(await toolText(b.client, 'counter')).toBe('1');
    expect(await toolText(a.client, 'counter')).toBe('3');
  });

  it('never mixes responses of two sessions using the same JSON-RPC id at the same time', async () => {
    const h = await start();
    const a = await connect(h);
    const b = await connect(h);
    // Both clients number their requests from 0, so these calls carry the same id; the latch
    // only opens once both are in flight on the server.
    const calls = Promise.all([toolText(a.client, 'hold'), toolText(b.client, 'hold')]);
    await h.latch.arrivals(2);
    h.latch.open();
    const [fromA, fromB] = await calls;
    expect(fromA).toBe(a.sessionId);
    expect(fromB).toBe(b.sessionId);
  });

  it('ends a session as soon as its client goes away; the client then sees SESSION_EXPIRED deleted', async () => {
    const h = await start({ idleTtlMs: 150 });
    let cut: (() => void) | undefined;
    let streams = 0;
    // The stream goes through this fetch so the test can cut it while the client stays usable
    // for POSTs; a reconnect attempt is refused with 204, which stops EventSource for good.
    const streamFetch = async (url: string | URL, init?: RequestInit) => {
      if (streams++ > 0) return new Response(null, { status: 204 });
      const controller = new AbortController();
      cut = () => controller.abort();
      return fetch(url, { ...init, signal: controller.signal });
    };
    const { client, sessionId } = await connect(h, { eventSourceInit: { fetch: streamFetch } });
    expect(await toolText(client, 'echo', { text: 'before' })).toBe('before');
    // While the stream is open the session outlives many TTLs.
    await untilPinned(h.manager, 1);
    expect(await passTime(h, 400)).toBe(0);
    expect(h.ended).toEqual([]);
    cut!();
    // No time passes: the stream was the session, so it ends when the stream closes.
    const end = await endedWith(h, sessionId);
    expect(end.reason).toBe('deleted');
    expect(end.endedAt).toBe(h.clock.now());
    await waitFor(() => h.counts.serversClosed.has(sessionId), 'the server closed');
    expect(h.handler.size).toBe(0);
    await untilPinned(h.manager, 0);
    const error = await client.callTool({ name: 'echo', arguments: { text: 'after' } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('HTTP 404');
    const body = JSON.parse(error!.message.slice(error!.message.indexOf('{')));
    expect(body.error.data).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'deleted' });
  });

  it('a closed stream over raw HTTP: 404 SESSION_EXPIRED with reason, endedAt and expiry headers', async () => {
    const h = await start({ idleTtlMs: 150 });
    const stream = await openRawStream(h);
    expect((await post(h, `?sessionId=${stream.sessionId}`, ping)).status).toBe(202);
    h.clock.advance(20);
    stream.res.destroy();
    const end = await endedWith(h, stream.sessionId);
    expect(end.reason).toBe('deleted');
    expect(end.endedAt).toBe(h.clock.now());
    const answer = await post(h, `?sessionId=${stream.sessionId}`, ping);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-session-expired')).toBe('true');
    expect(answer.headers.get('x-session-expired-reason')).toBe('deleted');
    expect(answer.json).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32001,
        message: 'Session not found',
        data: {
          code: 'SESSION_EXPIRED',
          reason: 'deleted',
          endedAt: new Date(end.endedAt).toISOString(),
        },
      },
      id: 41,
    });
  });

  it('answers SESSION_NOT_FOUND for an unknown ID, and 400 for missing or malformed IDs', async () => {
    const h = await start();
    const unknown = await post(h, `?sessionId=${randomUUID()}`, ping);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-session-expired')).toBeNull();
    expect(unknown.json).toEqual({
      jsonrpc: '2.0',
      error: { code: -32001, message: 'Session not found', data: { code: 'SESSION_NOT_FOUND' } },
      id: 41,
    });
    const missing = await post(h, '', ping);
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: -32000 });
    expect(missing.json.error.message).toContain('sessionId');
    expect(missing.json.id).toBe(41);
    const malformed = await post(h, `?sessionId=${encodeURIComponent('bad id\u0001')}`, ping);
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.message).toContain('visible ASCII');
    const tooLong = await post(h, `?sessionId=${'x'.repeat(257)}`, ping);
    expect(tooLong.status).toBe(400);
  });

  it('answers JSON for bodies and methods the transport would reject in plain text', async () => {
    const h = await start({}, { maxRequestBodySize: 1024 });
    const stream = await openRawStream(h);
    const q = `?sessionId=${stream.sessionId}`;
    const notJson = await post(h, q, '{"jsonrpc":', {});
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe(-32700);
    const wrongType = await post(h, q, ping, { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
    expect(wrongType.json.error.message).toContain('application/json');
    const big = await post(h, q, { ...ping, params: { pad: 'x'.repeat(2000) } });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toContain('1024');
    const notRpc = await post(h, q, { hello: 'world', id: 5 });
    expect(notRpc.status).toBe(400);
    expect(notRpc.json).toMatchObject({ error: { code: -32000 }, id: 5 });
    const getMessages = await fetch(new URL('/messages', h.url));
    expect(getMessages.status).toBe(405);
    expect(getMessages.headers.get('allow')).toBe('POST');
    await getMessages.text();
    const postSse = await fetch(new URL('/sse', h.url), { method: 'POST' });
    expect(postSse.status).toBe(405);
    expect(postSse.headers.get('allow')).toBe('GET');
    await postSse.text();
    const other = await fetch(new URL('/elsewhere', h.url));
    expect(other.status).toBe(404);
    expect((await other.json()).error.message).toContain('GET /sse');
    // The session is untouched by all of this and still works.
    expect((await post(h, q, ping)).status).toBe(202);
  });

  it('a server-side end closes the stream, and the client then sees SESSION_EXPIRED closed', async () => {
    const h = await start({ idleTtlMs: 60_000 });
    const { client, sessionId } = await connect(h);
    const stream = await openRawStream(h);
    expect(await h.manager.end(sessionId)).toBe(true);
    expect(await h.manager.end(stream.sessionId, 'closed')).toBe(true);
    await stream.ended;
    expect(h.counts.serversClosed.has(sessionId)).toBe(true);
    const error = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('HTTP 404');
    expect(error?.message).toContain('"code":"SESSION_EXPIRED"');
    expect(error?.message).toContain('"reason":"closed"');
  });

  it('does not cut a tool call longer than the idle TTL, and the session survives it', async () => {
    const h = await start({ idleTtlMs: 150 });
    const { client, sessionId } = await connect(h);
    const call = toolText(client, 'hold');
    await h.latch.arrivals(1);
    // Four idle TTLs pass and the sweeper runs while the call is in flight.
    expect(await passTime(h, 600)).toBe(0);
    h.latch.open();
    expect(await call).toBe(sessionId);
    expect(h.ended).toEqual([]);
    expect((await h.manager.resolve(sessionId)).status).toBe('active');
    expect(await toolText(client, 'counter')).toBe('1');
  });

  it('touches the session on every POST while its stream is open', async () => {
    const h = await start({ idleTtlMs: 150 });
    const stream = await openRawStream(h);
    const before = (await h.manager.resolve(stream.sessionId)) as { session: SessionRecord };
    h.clock.advance(100);
    expect((await post(h, `?sessionId=${stream.sessionId}`, ping)).status).toBe(202);
    const after = (await h.manager.resolve(stream.sessionId)) as { session: SessionRecord };
    expect(after.session.lastSeenAt).toBe(before.session.lastSeenAt + 100);
    expect(h.ended).toEqual([]);
  });

  it('answers 503 with Retry-After at capacity; evict-oldest never evicts a session with an open stream', async () => {
    const h = await start({ maxSessions: 1 }, { retryAfterSeconds: 7 });
    await connect(h);
    const refused = await fetch(new URL('/sse', h.url), {
      headers: { accept: 'text/event-stream' },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(await refused.json()).toMatchObject({ error: { code: -32000 }, id: null });
    const second = new Client({ name: 'refused', version: '1.0.0' });
    await expect(second.connect(new SSEClientTransport(new URL('/sse', h.url)))).rejects.toThrow(
      /503/,
    );
    await second.close();
    expect(h.counts.serversCreated).toBe(1);
    expect(await h.manager.count()).toBe(1);

    const e = await start({ maxSessions: 1, capacityPolicy: 'evict-oldest' });
    const old = await openRawStream(e);
    // A session with an open stream is pinned and never evicted...
    const pinned = await fetch(new URL('/sse', e.url));
    expect(pinned.status).toBe(503);
    await pinned.text();
    // ...its stream closing ends it, so a new stream takes the free slot without evicting.
    old.res.destroy();
    expect((await endedWith(e, old.sessionId)).reason).toBe('deleted');
    const { client } = await connect(e);
    expect(await toolText(client, 'counter')).toBe('1');
    expect(e.counts.serversClosed.has(old.sessionId)).toBe(true);
    expect(e.ended.map((end) => end.reason)).toEqual(['deleted']);
  });

  it('answers 503 with Retry-After while the store is unreachable, and deletes nothing', async () => {
    const flaky = new FaultyStore(
      undefined,
      () => new Error('connect ECONNREFUSED 127.0.0.1:6379'),
    );
    const h = await start({ store: flaky });
    const { client, sessionId } = await connect(h);
    flaky.failing = true;
    const during = await post(h, `?sessionId=${sessionId}`, ping);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(during.json).toMatchObject({ error: { code: -32000 }, id: 41 });
    const opening = await fetch(new URL('/sse', h.url));
    expect(opening.status).toBe(503);
    await opening.text();
    expect(h.handler.size).toBe(1);
    // A sweep runs into the outage long after the TTL: it fails typed, reports the lease it could
    // not renew, and changes nothing.
    h.clock.advance(SSE_TTL * 10);
    await expect(h.manager.sweep()).rejects.toThrow(
      expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
    );
    expect(h.errors.splice(0)).toEqual([
      expect.objectContaining({
        phase: 'renew',
        sessionId,
        error: expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
      }),
    ]);
    flaky.failing = false;
    expect(await toolText(client, 'counter')).toBe('1');
    expect((await h.manager.resolve(sessionId)).status).toBe('active');
    expect(h.counts.serversCreated).toBe(1);
    expect(h.ended).toEqual([]);
  });

  it('writes keep-alive comment frames on an open stream and stops when it closes', async () => {
    const h = await start({ idleTtlMs: 60_000, autoStart: true }, { keepAliveMs: 20 });
    const stream = await openRawStream(h);
    await waitFor(
      () => stream.received().split(KEEP_ALIVE_FRAME).length - 1 >= 3,
      'three keep-alive frames',
    );
    expect(stream.received().startsWith('event: endpoint\n')).toBe(true);
    // The sweeper, this stream's keep-alive and the handler's stream watch (its bounds).
    expect(liveIntervals.size).toBe(3);
    stream.res.destroy();
    await waitFor(() => liveIntervals.size === 1, 'keep-alive and stream watch timers cleared');
    const frames = stream.received().length;
    await wait(60);
    expect(stream.received().length).toBe(frames);
  });

  it('hands createServer a detached copy of the full session record', async () => {
    const seen: SessionRecord[] = [];
    const h = await start(
      {},
      {
        createServer: (session) => {
          seen.push(session);
          return new McpServer({ name: 'record', version: '1.0.0' });
        },
      },
      {
        wrap: (handler) => (req, res) => {
          (req as { auth?: unknown }).auth = { token: 't', clientId: 'client-carol', scopes: [] };
          void handler.node(req, res);
        },
      },
    );
    const { sessionId } = await connect(h);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id: sessionId, owner: 'client-carol', kind: 'sse' });
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
    expect(Object.keys(seen[0]!)).toEqual(
      expect.arrayContaining(['id', 'owner', 'kind', 'createdAt', 'lastSeenAt']),
    );
  });

  it('binds sessions to their owner: another owner gets SESSION_NOT_FOUND', async () => {
    // Default owner: `req.auth` set by auth middleware in front of the handler.
    const h = await start(
      {},
      {},
      {
        wrap: (handler) => (req, res) => {
          const token = req.headers.authorization?.replace('Bearer ', '');
          if (token)
            (req as { auth?: unknown }).auth = { token, clientId: `client-${token}`, scopes: [] };
          void handler.node(req, res);
        },
      },
    );
    const alice = await connect(h, { requestInit: { headers: { authorization: 'Bearer alice' } } });
    expect(await toolText(alice.client, 'echo', { text: 'mine' })).toBe('mine');
    const record = await h.manager.resolve(alice.sessionId, { owner: 'client-alice' });
    expect(record.status).toBe('active');
    const asBob = await post(h, `?sessionId=${alice.sessionId}`, ping, {
      authorization: 'Bearer bob',
    });
    const asNobody = await post(h, `?sessionId=${alice.sessionId}`, ping);
    const unknown = await post(h, `?sessionId=${randomUUID()}`, ping);
    for (const answer of [asBob, asNobody]) {
      expect(answer.status).toBe(404);
      expect(answer.text).toBe(unknown.text);
    }

    // An owner function overrides it.
    const o = await start(
      {},
      { ownerOf: (_authInfo, req) => req.headers.get('x-user') ?? undefined },
    );
    const stream = await openRawStream(o, { 'x-user': 'carol' });
    expect(
      (await post(o, `?sessionId=${stream.sessionId}`, ping, { 'x-user': 'dave' })).json.error.data,
    ).toEqual({
      code: 'SESSION_NOT_FOUND',
    });
    expect(
      (await post(o, `?sessionId=${stream.sessionId}`, ping, { 'x-user': 'carol' })).status,
    ).toBe(202);
  });

  it('closes every transport and server on lifetime end and on shutdown', async () => {
    const h = await start({ idleTtlMs: 60_000, maxLifetimeMs: 250 });
    const { sessionId } = await connect(h);
    const stream = await openRawStream(h);
    // The open streams pin their sessions, but the lifetime still applies.
    expect(await passTime(h, 249)).toBe(0);
    expect(await passTime(h, 1)).toBe(2);
    expect((await endedWith(h, sessionId)).reason).toBe('lifetime');
    expect((await endedWith(h, stream.sessionId)).reason).toBe('lifetime');
    await stream.ended;
    expect(h.handler.size).toBe(0);

    const s = await start({ idleTtlMs: 60_000 });
    await connect(s);
    const raw = await openRawStream(s);
    await s.manager.close();
    await raw.ended;
    expect(s.ended.map((e) => e.reason)).toEqual(['shutdown', 'shutdown']);
    expect(s.handler.size).toBe(0);
    expect(s.counts.serversClosed.size).toBe(2);
    const after = await fetch(new URL('/sse', s.url));
    expect(after.status).toBe(503);
    await after.text();
  });

  it('close() closes the transports and servers it holds without ending their sessions', async () => {
    const h = await start({ idleTtlMs: 60_000 });
    const { client, sessionId } = await connect(h);
    const stream = await openRawStream(h);
    expect(h.handler.size).toBe(2);
    expect((await h.manager.stats()).pinned).toBe(2);
    await h.handler.close();
    await stream.ended;
    expect(h.handler.size).toBe(0);
    expect(h.counts.serversClosed).toEqual(new Set([sessionId, stream.sessionId]));
    // The sessions live on, unpinned: their idle clock runs.
    expect(h.ended).toEqual([]);
    expect((await h.manager.resolve(sessionId)).status).toBe('active');
    expect((await h.manager.resolve(stream.sessionId)).status).toBe('active');
    expect((await h.manager.stats()).pinned).toBe(0);
    // Later requests answer 503; closing again changes nothing.
    const posted = await post(h, `?sessionId=${stream.sessionId}`, ping);
    expect(posted.status).toBe(503);
    expect(posted.headers.get('retry-after')).toBe('5');
    expect(posted.json).toMatchObject({ error: { code: -32000 }, id: 41 });
    const opened = await fetch(new URL('/sse', h.url));
    expect(opened.status).toBe(503);
    await opened.text();
    await h.handler.close();
    await client.close();
    // Ending a session later finds nothing of this handler left to close.
    expect(await h.manager.end(sessionId)).toBe(true);
    expect(h.counts.serversClosed.size).toBe(2);
  });

  /** A server factory that waits for `release()` before building; counts what it built and closed. */
  function heldFactory() {
    const counts = { built: 0, closed: 0 };
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const building = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const createServer = async () => {
      entered();
      await released;
      counts.built++;
      const server = new McpServer({ name: 'held', version: '1.0.0' });
      const close = server.close.bind(server);
      server.close = async () => {
        counts.closed++;
        await close();
      };
      return server;
    };
    return { counts, release, building, createServer };
  }

  it('closes a server built after its session ended, and answers the stream with the 404', async () => {
    const held = heldFactory();
    const h = await start({ idleTtlMs: 60_000 }, { createServer: held.createServer });
    const opening = fetch(new URL('/sse', h.url));
    await held.building;
    expect(await h.manager.end(h.created[0]!, 'closed')).toBe(true);
    held.release();
    const answer = await opening;
    expect(answer.status).toBe(404);
    expect((await answer.json()).error.data).toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'closed',
    });
    await waitFor(() => held.counts.closed === 1, 'late server closed');
    expect(held.counts.built).toBe(1);
    expect(h.handler.size).toBe(0);
  });

  it('close() waits for a stream being opened, then closes it too without ending its session', async () => {
    const held = heldFactory();
    const h = await start({ idleTtlMs: 60_000 }, { createServer: held.createServer });
    const opening = fetch(new URL('/sse', h.url));
    await held.building;
    let closed = false;
    const closing = h.handler.close().then(() => {
      closed = true;
    });
    await wait(20);
    expect(closed).toBe(false);
    held.release();
    await closing;
    const answer = await opening;
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('event: endpoint');
    expect(held.counts).toEqual({ built: 1, closed: 1 });
    expect(h.handler.size).toBe(0);
    expect((await h.manager.resolve(h.created[0]!)).status).toBe('active');
    expect((await h.manager.stats()).pinned).toBe(0);
  });

  it('shares one manager with Streamable HTTP: each side answers 400 for the other kind', async () => {
    let mcp!: StreamableHttpHandler;
    const h = await start(
      {},
      {},
      {
        wrap: (handler) => (req, res) => {
          if (req.url?.startsWith('/mcp')) void mcp.node(req, res);
          else void handler.node(req, res);
        },
      },
    );
    let streamableServers = 0;
    mcp = new StreamableHttpHandler({
      sessions: h.manager,
      createServer: () => {
        streamableServers++;
        return new McpServer({ name: 'streamable', version: '1.0.0' });
      },
    });
    const streamable = new Client({ name: 'streamable-client', version: '1.0.0' });
    const streamableTransport = new StreamableHTTPClientTransport(new URL('/mcp', h.url));
    await streamable.connect(streamableTransport);
    h.clients.push(streamable);
    const sse = await connect(h);
    const streamableId = streamableTransport.sessionId!;
    expect(h.created).toContain(streamableId);

    const toMessages = await post(h, `?sessionId=${streamableId}`, ping);
    expect(toMessages.status).toBe(400);
    expect(toMessages.json).toEqual(wrongKindBody('streamable-http', 'sse'));
    const toMcp = await post(
      h,
      '',
      ping,
      {
        'mcp-session-id': sse.sessionId,
        accept: 'application/json, text/event-stream',
      },
      '/mcp',
    );
    expect(toMcp.status).toBe(400);
    expect(toMcp.json).toEqual(wrongKindBody('sse', 'streamable-http'));

    // Neither session was harmed, and both count in one table.
    expect(await toolText(sse.client, 'counter')).toBe('1');
    expect(await streamable.ping()).toEqual({});
    expect(await h.manager.count()).toBe(2);
    await h.manager.close();
    expect(mcp.size).toBe(0);
    expect(streamableServers).toBe(1);
  });

  it('a failing server factory ends its session and answers 500; owner errors reach Express', async () => {
    let fail = true;
    const h = await start(
      {},
      {
        ownerOf: (_authInfo, req) => {
          if (req.headers.get('x-broken-auth')) throw new Error('auth state unreadable');
          return undefined;
        },
      },
      {
        wrap: (handler) => {
          const app = express();
          app.use(handler.node);
          app.use((error: Error, _req: unknown, res: express.Response, _next: unknown) => {
            res.status(500).json({ caught: error.message });
          });
          return app;
        },
      },
    );
    const factory = h.counts;
    const logged: unknown[] = [];
    const broken = await start(
      { idleTtlMs: 60_000 },
      {
        logger: { error: (message, details) => logged.push([message, details?.error]) },
        createServer: async () => {
          if (fail) throw new Error('factory failed');
          factory.serversCreated++;
          return new McpServer({ name: 'late', version: '1.0.0' });
        },
      },
    );
    const refused = await fetch(new URL('/sse', broken.url));
    expect(refused.status).toBe(500);
    expect(await refused.json()).toMatchObject({
      error: { code: -32603, message: 'Internal error' },
    });
    expect(logged).toEqual([
      ['mcp-sessions: legacy SSE request failed', new Error('factory failed')],
    ]);
    expect(broken.ended.map((e) => e.reason)).toEqual(['closed']);
    expect(broken.handler.size).toBe(0);
    expect(await broken.manager.count()).toBe(0);
    fail = false;

    // An owner function that throws fails the request through Express's error handler.
    const viaExpress = await fetch(new URL('/sse', h.url), { headers: { 'x-broken-auth': '1' } });
    expect(viaExpress.status).toBe(500);
    expect(await viaExpress.json()).toEqual({ caught: 'auth state unreadable' });
    expect(await h.manager.count()).toBe(0);
  });

  it('works as Express 5 middleware under a mount path, with a parsed body', async () => {
    const h = await start(
      {},
      {},
      {
        wrap: (handler) => {
          const app = express();
          app.use(express.json());
          app.use('/legacy', handler.node);
          app.get('/other', (_req, res) => void res.json({ other: true }));
          return app;
        },
      },
    );
    const { client } = await connect(h, {}, '/legacy/sse');
    expect(await toolText(client, 'echo', { text: 'via express' })).toBe('via express');
    expect(await toolText(client, 'counter')).toBe('1');
    const other = await fetch(new URL('/other', h.url));
    expect(await other.json()).toEqual({ other: true });
    const unknown = await post(h, `?sessionId=${randomUUID()}`, ping, {}, '/legacy/messages');
    expect(unknown.json.error.data?.code).toBe('SESSION_NOT_FOUND');
  });
});
