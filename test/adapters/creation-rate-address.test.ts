import { randomUUID } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { SseGate, SseHandler } from '../../src/adapters/sse/index.js';
import {
  type NodeRequest,
  StreamableHttpGate,
  StreamableHttpHandler,
} from '../../src/adapters/streamable-http/index.js';
import { type CreationRate, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { initializeRequest, postHeaders } from '../support/harness.js';
import { connectV1, connectV2, startV2 } from '../v2/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ONE_PER_ADDRESS: CreationRate = { perAddress: 1, windowMs: 60_000 };

function manager(creationRate: CreationRate = ONE_PER_ADDRESS) {
  const sessions = new SessionManager({ clock: new ManualClock(), autoStart: false, creationRate });
  cleanups.push(() => sessions.close());
  return sessions;
}

/** A rate refusal: 429, `Retry-After`, `RATE_LIMITED`, the per-address limit named. */
async function expectLimited(response: Response, retryAfter = '60') {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe(retryAfter);
  const body = (await response.json()) as { error: { message: string; data: unknown } };
  expect(body.error.data).toEqual({ code: 'RATE_LIMITED' });
  expect(body.error.message).toContain('per client address reached');
}

async function expectOk(response: Response) {
  expect(response.status).toBe(200);
  await response.body?.cancel();
}

/** A legacy SSE stream opened: left open until the test ends (closing it ends its session). */
function expectStream(response: Response) {
  expect(response.status).toBe(200);
  cleanups.push(() => response.body?.cancel() ?? Promise.resolve());
}

const initialize = (id = 1) =>
  new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: postHeaders(),
    body: JSON.stringify(initializeRequest(id)),
  });

const openSse = () =>
  new Request('http://127.0.0.1/sse', { headers: { accept: 'text/event-stream' } });

/** Serves an Express app on 127.0.0.1 until the test ends; answers its base URL. */
async function listen(app: express.Express): Promise<string> {
  const http = await new Promise<HttpServer>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  cleanups.push(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function post(url: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { ...postHeaders(), ...headers },
    body: JSON.stringify(initializeRequest()),
  });
}

describe('creationRate.perAddress on the fetch doors', () => {
  it('Streamable HTTP counts `clientAddress` (IPv6 per /64); without one, nothing', async () => {
    const sessions = manager();
    const handler = new StreamableHttpHandler({ sessions, createServer: createDemoServer });
    cleanups.push(() => handler.close());
    await expectOk(await handler.fetch(initialize(1), { clientAddress: '2001:db8:1:2::a' }));
    await expectLimited(await handler.fetch(initialize(2), { clientAddress: '2001:db8:1:2::b' }));
    await expectOk(await handler.fetch(initialize(3), { clientAddress: '2001:db8:1:3::a' }));
    await expectOk(await handler.fetch(initialize(4), { clientAddress: '::ffff:192.0.2.8' }));
    await expectLimited(await handler.fetch(initialize(5), { clientAddress: '192.0.2.8' }));
    for (let id = 6; id < 9; id++) await expectOk(await handler.fetch(initialize(id)));
    expect(await sessions.count()).toBe(6);
  });

  it('a malformed `clientAddress` answers 400 and creates nothing', async () => {
    const sessions = manager();
    const handler = new StreamableHttpHandler({ sessions, createServer: createDemoServer });
    cleanups.push(() => handler.close());
    const response = await handler.fetch(initialize(), { clientAddress: '' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Invalid `address`');
    expect(await sessions.count()).toBe(0);
  });

  it('legacy SSE counts `clientAddress`; without one, nothing', async () => {
    const sessions = manager();
    const handler = new SseHandler({ sessions, createServer: createDemoServer });
    cleanups.push(() => handler.close());
    expectStream(await handler.fetch(openSse(), { clientAddress: '198.51.100.7' }));
    await expectLimited(await handler.fetch(openSse(), { clientAddress: '198.51.100.7' }));
    expectStream(await handler.fetch(openSse(), { clientAddress: '198.51.100.8' }));
    expectStream(await handler.fetch(openSse()));
    expectStream(await handler.fetch(openSse()));
    expect(await sessions.count()).toBe(4);
    expect((await sessions.counters()).rejected.rateLimited).toBe(1);
  });
});

describe('creationRate.perAddress behind a reverse proxy (node door, Express)', () => {
  async function expressApp(trustProxy: string | false) {
    const sessions = manager();
    const handler = new StreamableHttpHandler({ sessions, createServer: createDemoServer });
    cleanups.push(() => handler.close());
    const app = express();
    app.set('trust proxy', trustProxy);
    app.all('/mcp', express.json(), handler.node);
    return { sessions, url: `${await listen(app)}/mcp` };
  }

  it('ignores X-Forwarded-For by default: every client counts as the socket address', async () => {
    const { sessions, url } = await expressApp(false);
    await expectOk(await post(url, { 'x-forwarded-for': '203.0.113.1' }));
    await expectLimited(await post(url, { 'x-forwarded-for': '203.0.113.2' }));
    expect(await sessions.count()).toBe(1);
  });

  it("follows Express's `trust proxy`: clients behind a trusted proxy count one by one", async () => {
    const { sessions, url } = await expressApp('loopback');
    await expectOk(await post(url, { 'x-forwarded-for': '203.0.113.1' }));
    await expectOk(await post(url, { 'x-forwarded-for': '203.0.113.2' }));
    await expectLimited(await post(url, { 'x-forwarded-for': '203.0.113.1' }));
    expect(await sessions.count()).toBe(2);
  });

  it('counts a `req.ip` set by the application before the handler', async () => {
    const sessions = manager();
    const handler = new SseHandler({ sessions, createServer: createDemoServer });
    cleanups.push(() => handler.close());
    const base = await listen(
      express()
        .use((req, _res, next) => {
          Object.defineProperty(req, 'ip', { value: req.headers['x-client'] });
          next();
        })
        .use(handler.node),
    );
    const open = (client: string) =>
      fetch(`${base}/sse`, { headers: { accept: 'text/event-stream', 'x-client': client } });
    expectStream(await open('192.0.2.50'));
    await expectLimited(await open('192.0.2.50'));
    expectStream(await open('192.0.2.51'));
    expect(await sessions.count()).toBe(2);
  });
});

describe('creationRate.perAddress through the gates', () => {
  it('StreamableHttpGate: an initialize past the rate answers 429 before any transport', async () => {
    const sessions = manager();
    const gate = new StreamableHttpGate({ sessions });
    let transports = 0;
    const app = express();
    app.all('/mcp', express.json(), async (req, res) => {
      const pass = await gate.admit(req, res);
      if (pass === undefined) return;
      const transport = new StreamableHTTPServerTransport(pass.transportOptions());
      transports++;
      const server = createDemoServer();
      pass.closeOnEnd(transport, server);
      await server.connect(transport);
      await transport.handleRequest(req, res, pass.body);
    });
    const url = `${await listen(app)}/mcp`;
    await expectOk(await post(url));
    await expectLimited(await post(url));
    expect(transports).toBe(1);
    expect(await sessions.count()).toBe(1);
  });

  it('SseGate: a GET /sse past the rate answers 429 and registers nothing', async () => {
    const sessions = manager();
    const gate = new SseGate({ sessions });
    const app = express();
    app.get('/sse', async (req, res) => {
      const transport = new SSEServerTransport('/messages', res);
      const server = createDemoServer();
      if (!(await gate.attach({ transport, req: req as NodeRequest, res, server }))) return;
      await server.connect(transport);
    });
    const base = await listen(app);
    const open = () => fetch(`${base}/sse`, { headers: { accept: 'text/event-stream' } });
    expectStream(await open());
    await expectLimited(await open());
    expect(await sessions.count()).toBe(1);
  });
});

describe('creationRate.perAddress on the SDK v2 handler', () => {
  it('refuses a 2025-era client past the rate with 429; the 2026 era creates no session', async () => {
    const v2 = await startV2({ managerOptions: { creationRate: ONE_PER_ADDRESS } });
    await connectV1(v2.url);
    const refused = await fetch(v2.url, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(initializeRequest(7)),
    });
    await expectLimited(refused);
    await expect(connectV1(v2.url)).rejects.toThrow();
    // Stateless 2026-07-28 requests create no session, so no rate applies to them.
    const { client } = await connectV2(v2.url, { pin: '2026-07-28' });
    await client.callTool({ name: 'echo', arguments: { text: randomUUID() } });
    expect(await v2.sessions.count()).toBe(1);
    expect((await v2.sessions.counters()).rejected.rateLimited).toBe(2);
  });
});
