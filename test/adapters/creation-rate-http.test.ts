import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { answerForError } from '../../src/adapters/shared/answers.js';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionError, SessionManager, type SessionRecord } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { initializeRequest, postHeaders } from '../support/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Both handlers on 127.0.0.1; the owner is the `x-user` header; one creation per owner a minute. */
async function start() {
  const clock = new ManualClock();
  const sessions = new SessionManager({
    clock,
    autoStart: false,
    creationRate: { perOwner: 1, windowMs: 60_000 },
  });
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
    initialize: (user: string, id: number) =>
      fetch(new URL('/mcp', url), {
        method: 'POST',
        headers: { ...postHeaders(), 'x-user': user },
        body: JSON.stringify(initializeRequest(id)),
      }),
    openSse: (user: string) => {
      const abort = new AbortController();
      aborts.push(abort);
      return fetch(new URL('/sse', url), {
        headers: { accept: 'text/event-stream', 'x-user': user },
        signal: abort.signal,
      });
    },
  };
}

/** Every rate refusal: 429, Retry-After until the window ends, the limit named, the owner not. */
async function expectRateAnswer(
  response: Response,
  user: string,
  id: number | null,
  retryAfter: string,
) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe(retryAfter);
  const text = await response.text();
  expect(text).not.toContain(user);
  expect(JSON.parse(text)).toEqual({
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: expect.stringContaining('1 per 60000 ms'),
      data: { code: 'RATE_LIMITED' },
    },
    id,
  });
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
