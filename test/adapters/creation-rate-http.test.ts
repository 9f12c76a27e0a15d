import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { answerForError } from '../../src/adapters/shared/answers.js';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import {
  type CreationRate,
  SessionError,
  SessionManager,
  type SessionRecord,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { initializeRequest, postHeaders } from '../support/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Both handlers on 127.0.0.1; the owner is the `x-user` header (none without it); by default one
 * creation per owner a minute.
 */
async function start(creationRate: CreationRate = { perOwner: 1, windowMs: 60_000 }) {
  const clock = new ManualClock();
  const sessions = new SessionManager({ clock, autoStart: false, creationRate });
  let servers = 0;
  const createServer_ = (session: SessionRecord): McpServer => {
    servers++;
    return createDemoServer(session);
  };
  const ownerOf = (_auth: unknown, request: Request) => request.headers.get('x-user') ?? undefined;
  const options = { sessions, createServer: createServer_, ownerOf, retryAfterSeconds: 7 };
  const handler = new StreamableHttpHandler(options);
  const legacy = new SseHandler(options);
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    void (path === '/mcp' ? handler.node(req, res) : legacy.node(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const aborts: AbortController[] = [];
  cleanups.push(async () => {
    for (const abort of aborts) abort.abort();
    await handler.close();
    await legacy.close();
    await sessions.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return {
    clock,
    sessions,
    servers: () => servers,
    initialize: (user: string | undefined, id: number) =>
      fetch(new URL('/mcp', url), {
        method: 'POST',
        headers: { ...postHeaders(), ...userHeader(user) },
        body: JSON.stringify(initializeRequest(id)),
      }),
    openSse: (user: string | undefined) => {
      const abort = new AbortController();
      aborts.push(abort);
      return fetch(new URL('/sse', url), {
        headers: { accept: 'text/event-stream', ...userHeader(user) },
        signal: abort.signal,
      });
    },
  };
}

function userHeader(user: string | undefined): Record<string, string> {
  return user === undefined ? {} : { 'x-user': user };
}

/**
 * Every rate refusal: 429, Retry-After until the window ends, the limit named (`limit`), neither
 * the owner nor the address.
 */
async function expectRateAnswer(
  response: Response,
  user: string | undefined,
  id: number | null,
  retryAfter: string,
  limit = 'per owner reached (creationRate.perOwner: 1 per 60000 ms)',
) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe(retryAfter);
  const text = await response.text();
  if (user !== undefined) expect(text).not.toContain(user);
  expect(text).not.toContain('127.0.0.1');
  expect(JSON.parse(text)).toEqual({
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: expect.stringContaining(limit),
      data: { code: 'RATE_LIMITED' },
    },
    id,
  });
}

/** The limit named by a refusal of `creationRate.perAddress: n per 60000 ms`. */
function perAddress(n: number): string {
  return `per client address reached (creationRate.perAddress: ${n} per 60000 ms)`;
}

describe('creationRate over HTTP', () => {
  it('answers RATE_LIMITED 429 with Retry-After from the error, at least 1 s', () => {
    const limited = (ms: number | undefined) =>
      answerForError(new SessionError('RATE_LIMITED', 'limit', { retryAfterMs: ms }), 4, 7);
    expect(limited(1).headers['retry-after']).toBe('1');
    expect(limited(12_001).headers['retry-after']).toBe('13');
    expect(limited(undefined).headers['retry-after']).toBe('7');
    expect(limited(1).status).toBe(429);
    expect(JSON.parse(limited(1).body)).toMatchObject({
      error: { data: { code: 'RATE_LIMITED' } },
    });
  });

  it('Streamable HTTP: an initialize past the rate answers 429 and builds nothing', async () => {
    const h = await start();
    const first = await h.initialize('alice-7f3', 1);
    expect(first.status).toBe(200);
    await first.text();
    expect(h.servers()).toBe(1);
    h.clock.advance(20_500);
    await expectRateAnswer(await h.initialize('alice-7f3', 2), 'alice-7f3', 2, '40');
    expect(h.servers()).toBe(1);
    expect(await h.sessions.count()).toBe(1);
    h.clock.advance(39_500);
    const again = await h.initialize('alice-7f3', 3);
    expect(again.status).toBe(200);
    await again.text();
    expect(await h.sessions.count()).toBe(2);
  });

  it('legacy SSE: a GET /sse past the rate answers 429 and builds nothing', async () => {
    const h = await start();
    const stream = await h.openSse('carol-91d');
    expect(stream.status).toBe(200);
    expect(h.servers()).toBe(1);
    h.clock.advance(59_999);
    await expectRateAnswer(await h.openSse('carol-91d'), 'carol-91d', null, '1');
    expect(h.servers()).toBe(1);
    expect(await h.sessions.listByOwner('carol-91d', { kind: 'sse' })).toHaveLength(1);
    expect(await h.sessions.count()).toBe(1);
  });
});

describe('creationRate.perAddress over HTTP (node doors, the socket address)', () => {
  it('Streamable HTTP: anonymous clients from 127.0.0.1 past the rate get 429, nothing built', async () => {
    const h = await start({ perAddress: 2, windowMs: 60_000 });
    for (const id of [1, 2]) {
      const response = await h.initialize(undefined, id);
      expect(response.status).toBe(200);
      await response.text();
    }
    h.clock.advance(15_000);
    await expectRateAnswer(await h.initialize(undefined, 3), undefined, 3, '45', perAddress(2));
    // Per address, whoever the owner.
    await expectRateAnswer(await h.initialize('dave-02a', 4), 'dave-02a', 4, '45', perAddress(2));
    expect(h.servers()).toBe(2);
    expect(await h.sessions.count()).toBe(2);
    expect((await h.sessions.counters()).rejected.rateLimited).toBe(2);
    h.clock.advance(45_000);
    const again = await h.initialize(undefined, 5);
    expect(again.status).toBe(200);
    await again.text();
    expect(await h.sessions.count()).toBe(3);
  });

  it('legacy SSE: anonymous GET /sse from 127.0.0.1 past the rate gets 429, nothing built', async () => {
    const h = await start({ perAddress: 1, windowMs: 60_000 });
    const stream = await h.openSse(undefined);
    expect(stream.status).toBe(200);
    await expectRateAnswer(await h.openSse(undefined), undefined, null, '60', perAddress(1));
    await expectRateAnswer(await h.openSse('erin-5c1'), 'erin-5c1', null, '60', perAddress(1));
    expect(h.servers()).toBe(1);
    expect(await h.sessions.count()).toBe(1);
  });

  it('with perOwner too: the address limit holds owners back, the owner limit addresses', async () => {
    const h = await start({ perOwner: 1, perAddress: 3, windowMs: 60_000 });
    const first = await h.initialize('frank-1', 1);
    expect(first.status).toBe(200);
    await first.text();
    await expectRateAnswer(await h.initialize('frank-1', 2), 'frank-1', 2, '60');
    // The refusal above was not counted for 127.0.0.1: two more owners may still create.
    for (const [user, id] of [['gina-2', 3] as const, ['hank-3', 4] as const]) {
      const response = await h.initialize(user, id);
      expect(response.status).toBe(200);
      await response.text();
    }
    await expectRateAnswer(await h.initialize('ivy-4', 5), 'ivy-4', 5, '60', perAddress(3));
    expect(h.servers()).toBe(3);
  });
});
