import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { writeWebResponse } from '../../src/adapters/shared/node-bridge.js';
import { KEEP_ALIVE_FRAME, SseHandler } from '../../src/adapters/sse/index.js';
import { SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { sessionEnd, untilPinned } from '../support/harness.js';

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function bodyOf(req: IncomingMessage): Promise<string | null> {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The handler's `fetch` door behind a plain node:http server on 127.0.0.1. */
async function setup(keepAliveMs = 0) {
  const clock = new ManualClock();
  const sessions = new SessionManager({ idleTtlMs: 1000, clock, autoStart: false });
  const built = { servers: 0 };
  const handler = new SseHandler({
    sessions,
    keepAliveMs,
    createServer: () => {
      built.servers++;
      const server = new McpServer({ name: 'sse-fetch', version: '1.0.0' });
      let count = 0;
      server.registerTool('counter', {}, async () => ({
        content: [{ type: 'text', text: String(++count) }],
      }));
      server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
        content: [{ type: 'text', text }],
      }));
      return server;
    },
  });
  const http = createServer(async (req, res) => {
    const headers = new Headers();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    }
    const request = new Request(`http://${req.headers.host}${req.url}`, {
      method: req.method!,
      headers,
      body: await bodyOf(req),
    });
    await writeWebResponse(res, await handler.fetch(request));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  open.push(() => sessions.close());
  open.push(() => handler.close());
  open.push(
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return { sessions, clock, handler, url, built };
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'sse-fetch-client', version: '1.0.0' });
  client.onerror = () => undefined;
  await client.connect(new SSEClientTransport(new URL('/sse', url)));
  open.push(() => client.close());
  return client;
}

async function text(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  return (result.content as Array<{ text?: string }>)[0]?.text;
}

describe('SseHandler.fetch with the real SDK SSE client', () => {
  it('serves a session: the stream pins it, tools work, an end closes everything', async () => {
    const { sessions, handler, url, built } = await setup();
    const client = await connect(url);
    const [record] = await sessions.list();
    expect(record).toMatchObject({ kind: 'sse', owner: undefined });
    expect(handler.size).toBe(1);
    expect(await text(client, 'counter')).toBe('1');
    expect(await text(client, 'echo', { text: 'hi' })).toBe('hi');
    expect(await text(client, 'counter')).toBe('2');
    expect((await sessions.stats()).pinned).toBe(1);

    expect(await sessions.end(record!.id)).toBe(true);
    expect(handler.size).toBe(0);
    await expect(client.callTool({ name: 'counter', arguments: {} })).rejects.toThrow(
      /HTTP 404.*SESSION_EXPIRED/,
    );
    expect(built.servers).toBe(1);
  });

  it('ends the session as soon as the client goes away (deleted)', async () => {
    const { sessions, handler, url } = await setup();
    const client = await connect(url);
    const [record] = await sessions.list();
    await untilPinned(sessions, 1);
    const ended = sessionEnd(sessions, record!.id);
    await client.close();
    // No time passes and no sweep runs.
    expect((await ended).reason).toBe('deleted');
    await untilPinned(sessions, 0);
    expect(handler.size).toBe(0);
    expect((await sessions.stats()).live).toBe(0);
  });

  it('answers like the node door: paths, methods, bodies, unknown sessions, shutdown', async () => {
    const { sessions, handler, url, built } = await setup();
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' });
    const post = (query: string, body: string, type = 'application/json') =>
      fetch(`${url}/messages${query}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    expect((await fetch(`${url}/elsewhere`)).status).toBe(404);
    const getMessages = await fetch(`${url}/messages`);
    expect(getMessages.status).toBe(405);
    expect(getMessages.headers.get('allow')).toBe('POST');
    expect((await fetch(`${url}/sse`, { method: 'POST' })).status).toBe(405);
    expect((await post('?sessionId=abc', ping, 'text/plain')).status).toBe(415);
    const notJson = await post('?sessionId=abc', '{"jsonrpc":');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const missing = await post('', ping);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ id: 3 });
    const unknown = await post('?sessionId=never-seen', ping);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { data: { code: 'SESSION_NOT_FOUND' } } });

    await handler.close();
    const closed = await fetch(`${url}/sse`);
    expect(closed.status).toBe(503);
    expect(closed.headers.get('retry-after')).toBe('5');
    expect(await sessions.count()).toBe(0);
    expect(built.servers).toBe(0);
  });

  it('writes keep-alive frames on the stream and binds the session to authInfo', async () => {
    const { sessions, handler, url } = await setup(10);
    const response = await fetch(`${url}/sse`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    while (received.split(KEEP_ALIVE_FRAME).length - 1 < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    expect(received).toMatch(/^event: endpoint\ndata: \/messages\?sessionId=[^\n]+\n\n/);
    expect(received.split(KEEP_ALIVE_FRAME).length - 1).toBeGreaterThanOrEqual(2);
    await reader.cancel();
    await untilPinned(sessions, 0);

    const auth = { token: 't', clientId: 'client-7', scopes: [] };
    const direct = await handler.fetch(new Request('http://127.0.0.1/sse'), { authInfo: auth });
    expect(direct.status).toBe(200);
    const owned = (await sessions.list()).filter((session) => session.owner === 'client-7');
    expect(owned).toHaveLength(1);
    await direct.body!.cancel();
    await untilPinned(sessions, 0);
  });
});
