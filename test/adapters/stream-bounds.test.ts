import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import type { Socket } from 'node:net';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as Server } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it, type MockInstance, vi } from 'vitest';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionError, SessionManager } from '../../src/index.js';
import { rawInitialize, startHarness, untilPinned, waitFor } from '../support/harness.js';
import { endedWith, openRawStream, post, startSse } from '../support/sse-harness.js';

type Spy = MockInstance<Socket['setKeepAlive']>;

const CHUNK = 'x'.repeat(64 * 1024);
const GIB = 1_073_741_824;
const SLOW = 15_000;

/** Opens a raw Streamable HTTP GET stream of session `id`; `paused`: a client that reads nothing. */
async function openGet(
  url: string,
  id: string,
  paused = false,
): Promise<{ req: ClientRequest; res: IncomingMessage; ended: Promise<void> }> {
  const req = request(url, {
    method: 'GET',
    agent: false,
    headers: { accept: 'text/event-stream', 'mcp-session-id': id },
  });
  req.on('error', () => undefined);
  const res = await new Promise<IncomingMessage>((resolve) => req.on('response', resolve).end());
  res.on('error', () => undefined);
  const ended = new Promise<void>((resolve) => {
    res.once('end', resolve);
    res.once('close', resolve);
  });
  if (paused) res.pause();
  else res.resume();
  expect(res.statusCode).toBe(200);
  return { req, res, ended };
}

/** Spies on `setKeepAlive` of every socket `http` accepts from now on. */
function spyOnSockets(http: import('node:http').Server): Spy[] {
  const spies: Spy[] = [];
  http.on('connection', (socket: Socket) => {
    spies.push(vi.spyOn(socket, 'setKeepAlive'));
  });
  return spies;
}

describe('stream bounds: options', () => {
  const sessions = new SessionManager({ autoStart: false });
  const createServer = () => new Server({ name: 'x', version: '1' });
  const builders = {
    StreamableHttpHandler: (o: Record<string, unknown>) =>
      new StreamableHttpHandler({ sessions, createServer, ...o }),
    SseHandler: (o: Record<string, unknown>) => new SseHandler({ sessions, createServer, ...o }),
  };
  for (const [name, build] of Object.entries(builders)) {
    for (const field of ['maxStreamDurationMs', 'writeStallTimeoutMs', 'tcpKeepAliveMs']) {
      it(`${name} validates ${field}: an integer number of ms from 0 to 2^31-1`, () => {
        for (const bad of [-1, 1.5, 2 ** 31, '1s', Number.NaN]) {
          expect(() => build({ [field]: bad })).toThrow(SessionError);
          expect(() => build({ [field]: bad })).toThrow(
            new RegExp(
              `Invalid ${name} option \`${field}\`: expected an integer number of ms from 0 \\(off\\) to 2147483647`,
            ),
          );
        }
        for (const good of [0, 1, 2 ** 31 - 1])
          expect(() => build({ [field]: good })).not.toThrow();
      });
    }
  }
});

describe('stream bounds: Streamable HTTP GET streams on the node door', () => {
  it('turns TCP keep-alive on for the stream socket (tcpKeepAliveMs, default 30 s)', async () => {
    const h = await startHarness();
    const spies = spyOnSockets(h.demo.http);
    const id = await rawInitialize(h.mcpUrl);
    const get = await openGet(h.mcpUrl, id);
    await untilPinned(h.sessions, 1);
    expect(spies.some((spy) => spy.mock.calls.some((c) => c[0] === true && c[1] === 30_000))).toBe(
      true,
    );
    get.res.destroy();
  });

  it('leaves the socket as it is with tcpKeepAliveMs 0', async () => {
    const h = await startHarness({ handlerOptions: { tcpKeepAliveMs: 0 } });
    const spies = spyOnSockets(h.demo.http);
    const id = await rawInitialize(h.mcpUrl);
    const get = await openGet(h.mcpUrl, id);
    await untilPinned(h.sessions, 1);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    get.res.destroy();
  });

  it(
    'ends a GET stream open longer than maxStreamDurationMs; its pin drops and the session idles out',
    async () => {
      const h = await startHarness({
        managerOptions: { idleTtlMs: 10_000 },
        handlerOptions: { maxStreamDurationMs: 60_000 },
      });
      const id = await rawInitialize(h.mcpUrl);
      const get = await openGet(h.mcpUrl, id);
      await untilPinned(h.sessions, 1);
      h.clock.advance(60_000);
      await get.ended;
      await untilPinned(h.sessions, 0);
      expect(await h.passTime(10_000)).toBe(1);
      expect((await h.sessions.resolve(id)).status).not.toBe('active');
    },
    SLOW,
  );

  it(
    'the SDK client reopens its GET stream once the server ended it, and keeps its session',
    async () => {
      const h = await startHarness({ handlerOptions: { maxStreamDurationMs: 60_000 } });
      let gets = 0;
      h.demo.http.on('request', (req: IncomingMessage) => {
        if (req.method === 'GET') gets++;
      });
      const { client } = await h.connect();
      await waitFor(() => gets === 1, 'the GET stream');
      await untilPinned(h.sessions, 1);
      h.clock.advance(60_000);
      await waitFor(() => gets === 2, 'the GET stream reopened');
      await untilPinned(h.sessions, 1);
      expect(await client.ping()).toEqual({});
      expect((await h.sessions.stats()).live).toBe(1);
    },
    SLOW,
  );

  it(
    'destroys a GET stream whose client stopped reading for writeStallTimeoutMs',
    async () => {
      const servers = new Map<string, McpServer>();
      const h = await startHarness({
        handlerOptions: {
          maxStreamDurationMs: 0,
          writeStallTimeoutMs: 60_000,
          maxBufferedBytes: GIB,
        },
        extend: (server, session) => servers.set(session.id, server),
      });
      const id = await rawInitialize(h.mcpUrl);
      const get = await openGet(h.mcpUrl, id, true);
      await untilPinned(h.sessions, 1);
      const transport = servers.get(id)!.server.transport!;
      // 32 MiB of notifications on the GET stream: more than the socket buffers take.
      for (let i = 0; i < 512; i++) {
        await transport.send({
          jsonrpc: '2.0',
          method: 'notifications/message',
          params: { level: 'info', data: CHUNK },
        });
      }
      await waitFor(
        async () => {
          h.clock.advance(10_000);
          return (await h.sessions.stats()).pinned === 0;
        },
        'the stalled stream destroyed',
        10_000,
      );
      expect((await h.sessions.resolve(id)).status).toBe('active');
      get.res.destroy();
    },
    SLOW,
  );
});

describe('stream bounds: legacy SSE streams', () => {
  it('turns TCP keep-alive on for the stream socket', async () => {
    let spies: Spy[] = [];
    const h = await startSse({}, { tcpKeepAliveMs: 45_000 });
    spies = spyOnSockets(h.http);
    await openRawStream(h);
    expect(spies.some((spy) => spy.mock.calls.some((c) => c[0] === true && c[1] === 45_000))).toBe(
      true,
    );
  });

  it(
    'ends a stream open longer than maxStreamDurationMs, and its session with it',
    async () => {
      const h = await startSse({ idleTtlMs: 10_000 }, { maxStreamDurationMs: 60_000 });
      const stream = await openRawStream(h);
      h.clock.advance(60_000);
      await stream.ended;
      expect((await endedWith(h, stream.sessionId)).reason).toBe('closed');
      expect((await h.manager.stats()).pinned).toBe(0);
    },
    SLOW,
  );

  it(
    'ends a fetch-door stream open longer than maxStreamDurationMs',
    async () => {
      const h = await startSse({ idleTtlMs: 10_000 }, { maxStreamDurationMs: 60_000 });
      const response = await h.handler.fetch(new Request(new URL('/sse', h.url)));
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      const id = h.created[0]!;
      h.clock.advance(60_000);
      for (;;) if ((await reader.read()).done) break;
      expect((await endedWith(h, id)).reason).toBe('closed');
      expect((await h.manager.stats()).pinned).toBe(0);
    },
    SLOW,
  );

  it(
    'drops a stream whose client stopped reading for writeStallTimeoutMs and ends its session',
    async () => {
      const h = await startSse(
        { idleTtlMs: 10_000 },
        { writeStallTimeoutMs: 60_000, maxStreamDurationMs: 0, maxBufferedBytes: GIB },
      );
      const stream = await openRawStream(h);
      stream.res.pause();
      const query = `?sessionId=${stream.sessionId}`;
      // 32 MiB of tool output on the stream: more than the socket buffers take.
      for (let i = 0; i < 512; i++) {
        const echo = {
          jsonrpc: '2.0',
          id: i,
          method: 'tools/call',
          params: { name: 'echo', arguments: { text: CHUNK } },
        };
        if (i === 0) {
          await post(h, query, { jsonrpc: '2.0', id: 'i', method: 'initialize', params: init });
          await post(h, query, { jsonrpc: '2.0', method: 'notifications/initialized' });
        }
        const answered = await post(h, query, echo);
        if (answered.status !== 202) break;
      }
      await waitFor(
        () => {
          h.clock.advance(10_000);
          return h.ended.some((e) => e.id === stream.sessionId);
        },
        'the stalled stream dropped',
        10_000,
      );
      expect((await endedWith(h, stream.sessionId)).reason).toBe('closed');
      expect((await h.manager.stats()).pinned).toBe(0);
    },
    SLOW,
  );
});

const init = {
  protocolVersion: '2024-11-05',
  capabilities: {},
  clientInfo: { name: 'raw', version: '1.0.0' },
};
