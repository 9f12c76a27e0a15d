import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { answerForError } from '../../src/adapters/shared/answers.js';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionError, SessionManager, type SessionRecord } from '../../src/index.js';
import { initializeRequest, postHeaders } from '../support/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Both handlers on 127.0.0.1; the owner is the `x-user` header; one session per owner. */
async function start() {
  const sessions = new SessionManager({ autoStart: false, maxSessionsPerOwner: 1 });
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

/** What every quota refusal must be: 429, Retry-After, the limit named, the owner not. */
async function expectQuotaAnswer(response: Response, user: string, id: number | null) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe('7');
  const text = await response.text();
  expect(text).not.toContain(user);
  expect(JSON.parse(text)).toEqual({
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: expect.stringContaining('maxSessionsPerOwner = 1'),
      data: { code: 'OWNER_QUOTA' },
    },
    id,
  });
}

describe('maxSessionsPerOwner over HTTP', () => {
  it('answers OWNER_QUOTA 429 with Retry-After, distinct from capacity 503', () => {
    const quota = answerForError(new SessionError('OWNER_QUOTA', 'limit 3'), 4, 0.2);
    expect(quota.status).toBe(429);
    expect(quota.headers['retry-after']).toBe('1');
    expect(JSON.parse(quota.body)).toMatchObject({ error: { data: { code: 'OWNER_QUOTA' } } });
    expect(answerForError(new SessionError('CAPACITY', 'full'), 4).status).toBe(503);
  });

  it('Streamable HTTP: a second initialize of one owner answers 429 and builds nothing', async () => {
    const h = await start();
    const first = await h.initialize('alice-7f3', 1);
    expect(first.status).toBe(200);
    await first.text();
    expect(h.servers()).toBe(1);
    await expectQuotaAnswer(await h.initialize('alice-7f3', 2), 'alice-7f3', 2);
    expect(h.servers()).toBe(1);
    expect(await h.sessions.listByOwner('alice-7f3')).toHaveLength(1);
    const other = await h.initialize('bob-2c1', 3);
    expect(other.status).toBe(200);
    await other.text();
    expect(await h.sessions.count()).toBe(2);
  });

  it('legacy SSE: a second GET /sse of one owner answers 429 and builds nothing', async () => {
    const h = await start();
    const stream = await h.openSse('carol-91d');
    expect(stream.status).toBe(200);
    expect(h.servers()).toBe(1);
    await expectQuotaAnswer(await h.openSse('carol-91d'), 'carol-91d', null);
    expect(h.servers()).toBe(1);
    expect(await h.sessions.listByOwner('carol-91d', { kind: 'sse' })).toHaveLength(1);
  });
});
