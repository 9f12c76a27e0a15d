import { request } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SseGate, SseHandler } from '../../src/adapters/sse/index.js';
import {
  StreamableHttpGate,
  StreamableHttpHandler,
} from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import { initializeRequest } from '../support/harness.js';
import { listen } from '../support/http.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

interface Answer {
  status: number;
  json: { error: { code: number; message: string }; id: unknown };
}

/** A raw node:http request whose headers (`Host` included) are exactly `headers`. */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.end(body);
  });
}

/** A manager whose store fails every call: any answer but 503 was given before the store. */
function storeThatFails(): SessionManager {
  const store = new FaultyStore();
  store.failing = true;
  const sessions = new SessionManager({ store, autoStart: false });
  open.push({
    close: () => {
      store.failing = false;
      return sessions.close();
    },
  });
  return sessions;
}

function countingFactory() {
  const built = { servers: 0 };
  const factory = () => {
    built.servers++;
    return new McpServer({ name: 'doors', version: '1.0.0' });
  };
  return { built, factory };
}

const BAD_HOSTS = ['bad host', '[::1', 'a/b', ''];
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const ping = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' });

describe('a Host header that forms no URL is the client’s 400, never a 500', () => {
  it('on the Streamable HTTP handler', async () => {
    const sessions = storeThatFails();
    const { built, factory } = countingFactory();
    const handler = new StreamableHttpHandler({ sessions, createServer: factory });
    open.push(handler);
    const port = await listen(handler.node);
    for (const host of BAD_HOSTS) {
      const answer = await raw(port, 'POST', '/mcp', { ...json, host }, ping);
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({
        code: -32000,
        message: expect.stringContaining('Host'),
      });
    }
    expect(built.servers).toBe(0);
  });

  it('on both paths of the SSE handler', async () => {
    const sessions = storeThatFails();
    const { built, factory } = countingFactory();
    const handler = new SseHandler({ sessions, createServer: factory, keepAliveMs: 0 });
    open.push(handler);
    const port = await listen(handler.node);
    for (const host of BAD_HOSTS) {
      const stream = await raw(port, 'GET', '/sse', { host });
      expect(stream.status).toBe(400);
      const post = await raw(port, 'POST', '/messages?sessionId=abc', { ...json, host }, ping);
      expect(post.status).toBe(400);
      expect(post.json.error.message).toContain('Host');
    }
    expect(built.servers).toBe(0);
  });

  it('on both gates, when a custom ownerOf reads the request', async () => {
    const sessions = storeThatFails();
    const ownerOf = (_auth: unknown, request: Request) =>
      request.headers.get('x-user') ?? undefined;
    const streamable = new StreamableHttpGate({ sessions, ownerOf });
    const sse = new SseGate({ sessions, ownerOf, keepAliveMs: 0 });
    const port = await listen(async (req, res) => {
      if (req.url === '/mcp') await streamable.admit(req, res, JSON.parse(ping));
      else if (req.url === '/sse') {
        const transport = { sessionId: 'abc', close: async () => undefined };
        await sse.attach({ transport, req, res });
      } else await sse.admit(req, res, JSON.parse(ping));
    });
    for (const path of ['/mcp', '/sse', '/messages?sessionId=abc']) {
      const answer = await raw(port, 'POST', path, { ...json, host: 'bad host' }, ping);
      expect(answer.status).toBe(400);
      expect(answer.json.error.message).toContain('Host');
    }
  });
});

describe('a bad POST body is refused before any session is touched', () => {
  const cases = [
    {
      name: 'not declared as JSON',
      headers: { 'content-type': 'text/plain' },
      status: 415,
      code: -32000,
    },
    { name: 'not parsable', body: '{"jsonrpc":', status: 400, code: -32700 },
    {
      name: 'too large',
      body: JSON.stringify({ ...initializeRequest(), pad: 'x'.repeat(300) }),
      status: 413,
      code: -32000,
    },
  ];

  it.each(['Streamable HTTP', 'SSE'] as const)(
    'on the %s handler, through both doors: no session, no server',
    async (name) => {
      const sessions = storeThatFails();
      const { built, factory } = countingFactory();
      const options = { sessions, createServer: factory, maxRequestBodySize: 256 };
      const handler = name === 'SSE' ? new SseHandler(options) : new StreamableHttpHandler(options);
      open.push(handler);
      const path = name === 'SSE' ? '/messages?sessionId=abc' : '/mcp';
      const port = await listen(handler.node);
      for (const c of cases) {
        const body = c.body ?? JSON.stringify(initializeRequest());
        const headers = { ...json, ...c.headers };
        const node = await raw(port, 'POST', path, { ...headers, host: '127.0.0.1' }, body);
        const fetched = await handler.fetch(
          new Request(`http://127.0.0.1${path}`, { method: 'POST', headers, body }),
        );
        const fetchedCode = ((await fetched.json()) as Answer['json']).error.code;
        expect({
          case: c.name,
          node: [node.status, node.json.error.code],
          fetch: [fetched.status, fetchedCode],
        }).toEqual({ case: c.name, node: [c.status, c.code], fetch: [c.status, c.code] });
      }
      const parsed = await handler.fetch(
        new Request(`http://127.0.0.1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
        }),
        { parsedBody: initializeRequest() },
      );
      expect(parsed.status).toBe(415);
      expect(built.servers).toBe(0);
    },
  );
});

describe('both gates answer an owner function that throws, never reject', () => {
  it('500 with the same JSON-RPC body, echoing the request id', async () => {
    const sessions = new SessionManager({ autoStart: false });
    open.push(sessions);
    const ownerOf = () => {
      throw new Error('no principal');
    };
    const streamable = new StreamableHttpGate({ sessions, ownerOf });
    const sse = new SseGate({ sessions, ownerOf, keepAliveMs: 0 });
    const rejected: unknown[] = [];
    const port = await listen(async (req, res) => {
      const body = { jsonrpc: '2.0', id: 9, method: 'ping' };
      const admitted =
        req.url === '/mcp' ? streamable.admit(req, res, body) : sse.admit(req, res, body);
      await admitted.catch((error: unknown) => {
        rejected.push(error);
        res.writeHead(599).end('{}');
      });
    });
    for (const path of ['/mcp', '/messages?sessionId=abc']) {
      const answer = await raw(port, 'POST', path, { ...json, host: '127.0.0.1' }, '{}');
      expect({ path, status: answer.status, json: answer.json }).toEqual({
        path,
        status: 500,
        json: { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 9 },
      });
    }
    expect(rejected).toEqual([]);
    expect(await sessions.count()).toBe(0);
  });
});

describe('both handlers fail the same way', () => {
  const broken = () => {
    throw new Error('auth state unreadable');
  };

  function handlers(sessions: SessionManager) {
    const { factory } = countingFactory();
    const streamable = new StreamableHttpHandler({
      sessions,
      createServer: factory,
      ownerOf: broken,
      logger: {},
    });
    const sse = new SseHandler({ sessions, createServer: factory, ownerOf: broken, logger: {} });
    open.push(streamable, sse);
    return [
      { name: 'Streamable HTTP', door: streamable.node, path: '/mcp', body: initializeRequest(7) },
      {
        name: 'SSE',
        door: sse.node,
        path: '/messages?sessionId=abc',
        body: { jsonrpc: '2.0', id: 7, method: 'ping' },
      },
    ];
  }

  it('without next: 500 with the JSON-RPC body, echoing the request id', async () => {
    const sessions = new SessionManager({ autoStart: false });
    open.push(sessions);
    for (const { name, door, path, body } of handlers(sessions)) {
      const port = await listen(door);
      const answer = await raw(
        port,
        'POST',
        path,
        { ...json, host: '127.0.0.1' },
        JSON.stringify(body),
      );
      expect({ name, status: answer.status, json: answer.json }).toEqual({
        name,
        status: 500,
        json: { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 7 },
      });
    }
    expect(await sessions.count()).toBe(0);
  });

  it('with next (Express): the error goes to next; known failures are still answered', async () => {
    const sessions = new SessionManager({ autoStart: false });
    open.push(sessions);
    for (const { name, door, path, body } of handlers(sessions)) {
      const caught: unknown[] = [];
      const port = await listen((req, res) =>
        door(req, res, (error?: unknown) => {
          caught.push(error);
          res.writeHead(418, { 'content-type': 'application/json' }).end('{"caught":true}');
        }),
      );
      const answer = await raw(
        port,
        'POST',
        path,
        { ...json, host: '127.0.0.1' },
        JSON.stringify(body),
      );
      expect({ name, status: answer.status }).toEqual({ name, status: 418 });
      expect(caught).toEqual([new Error('auth state unreadable')]);
      const badHost = await raw(port, 'POST', path, { ...json, host: 'bad host' }, '{}');
      expect({ name, status: badHost.status }).toEqual({ name, status: 400 });
    }
  });
});
