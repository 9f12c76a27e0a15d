import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { sessionNotFound } from '../../src/adapters/shared/answers.js';
import {
  connectWithRecovery,
  parseSessionNotFound,
  type RecoveringClient,
  type SessionRecovery,
} from '../../src/client/index.js';
import { SESSION_NOT_FOUND_RPC_CODE } from '../../src/protocol.js';
import { startHarness } from '../support/harness.js';

type Mode = 'legacy' | 'auto' | { pin: string };

function v2Client(mode: Mode): Client {
  return new Client({ name: 'v2-client', version: '1.0.0' }, { versionNegotiation: { mode } });
}

async function connectV2(
  url: string,
  mode: Mode,
  events: SessionRecovery[] = [],
  made: { transports: number } = { transports: 0 },
): Promise<RecoveringClient<Client>> {
  const mcp = await connectWithRecovery(
    v2Client(mode),
    () => {
      made.transports += 1;
      return new StreamableHTTPClientTransport(new URL(url));
    },
    { onRecover: (event) => events.push(event) },
  );
  onTestFinished(() => mcp.close());
  return mcp;
}

async function echo(mcp: RecoveringClient<Client>, text: string): Promise<string | undefined> {
  const result = await mcp.callTool({ name: 'echo', arguments: { text } });
  return (result.content as Array<{ type: string; text?: string }>)[0]?.text;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('parseSessionNotFound with SDK v2 errors', () => {
  const ENDED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);
  const expired = sessionNotFound({ id: 'abc', reason: 'idle', endedAt: ENDED_AT }, 7).body;

  function v2Error(status: number, body: string): SdkHttpError {
    return new SdkHttpError(
      SdkErrorCode.ClientHttpNotImplemented,
      `Error POSTing to endpoint: ${body}`,
      { status, statusText: 'x', text: body },
    );
  }

  it('reads an expired session with reason and end time from data.text', () => {
    expect(parseSessionNotFound(v2Error(404, expired))).toEqual({
      status: 404,
      code: 'SESSION_EXPIRED',
      reason: 'idle',
      endedAt: ENDED_AT,
    });
  });

  it('ignores the same body under another status, and a 404 with a foreign body', () => {
    expect(parseSessionNotFound(v2Error(400, expired))).toBeUndefined();
    expect(parseSessionNotFound(v2Error(404, 'Not Found'))).toBeUndefined();
  });
});

describe('connectWithRecovery with the SDK v2 Client in the 2025 era (against StreamableHttpHandler)', () => {
  it.each(['legacy', 'auto'] as const)(
    'recovers from a session that ended (%s negotiation): the call succeeds on a new session',
    async (mode) => {
      const h = await startHarness();
      const events: SessionRecovery[] = [];
      const mcp = await connectV2(h.mcpUrl, mode, events);
      expect(mcp.client.getProtocolEra()).toBe('legacy');
      expect(await echo(mcp, 'before')).toBe('before');
      const lost = mcp.sessionId!;
      expect(lost).toBeTypeOf('string');

      expect(await h.sessions.end(lost, 'deleted')).toBe(true);
      expect(await echo(mcp, 'after')).toBe('after');

      expect(mcp.sessionId).toBeTypeOf('string');
      expect(mcp.sessionId).not.toBe(lost);
      expect((await h.sessions.resolve(mcp.sessionId!)).status).toBe('active');
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        status: 404,
        code: 'SESSION_EXPIRED',
        reason: 'deleted',
        previousSessionId: lost,
        sessionId: mcp.sessionId,
      });
      expect(events[0]!.error).toBeInstanceOf(SdkHttpError);
    },
  );

  it('re-sends, once, a request left in flight when the connection was replaced', async () => {
    const h = await startHarness();
    const events: SessionRecovery[] = [];
    const mcp = await connectV2(h.mcpUrl, 'legacy', events);
    const lost = mcp.sessionId!;
    const held = mcp.callTool({ name: 'hold' });
    await h.latch.arrivals(1);

    expect(await h.sessions.end(lost, 'deleted')).toBe(true);
    expect(await echo(mcp, 'after')).toBe('after');
    expect(events).toHaveLength(1);
    h.latch.open();
    const result = await held;
    expect((result.content as Array<{ text?: string }>)[0]?.text).toBe('held');
    expect(h.latch.arrived).toBe(2);
  });

  it('parseSessionNotFound reads the SdkHttpError of a 404 for an unknown session', async () => {
    const h = await startHarness();
    const client = v2Client('legacy');
    onTestFinished(() => client.close());
    const transport = new StreamableHTTPClientTransport(new URL(h.mcpUrl), {
      sessionId: '7b0c4a1e-5d3f-4e2a-9c8b-1a2b3c4d5e6f',
    });
    const error = await rejectionOf(
      transport
        .start()
        .then(() => transport.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} })),
    );
    expect(error).toBeInstanceOf(SdkHttpError);
    expect((error as SdkHttpError).status).toBe(404);
    expect(parseSessionNotFound(error)).toEqual({ status: 404, code: 'SESSION_NOT_FOUND' });
    await transport.close();
  });
});

/** A v2 `createMcpHandler` endpoint on 127.0.0.1 that can be told to answer our session 404. */
async function startModernServer(): Promise<{ url: string; answer404: { on: boolean } }> {
  const answer404 = { on: false };
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'modern', version: '1.0.0' });
      server.registerTool(
        'echo',
        { inputSchema: z.object({ text: z.string() }) },
        async ({ text }) => ({
          content: [{ type: 'text', text }],
        }),
      );
      return server;
    },
    { legacy: 'reject' },
  );
  const node = toNodeHandler(handler);
  const http: Server = createServer((req, res) => {
    if (answer404.on && req.method === 'POST') {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: {
            code: SESSION_NOT_FOUND_RPC_CODE,
            message: 'Session not found',
            data: { code: 'SESSION_NOT_FOUND' },
          },
        }),
      );
      return;
    }
    void node(req as Parameters<typeof node>[0], res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    await handler.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, answer404 };
}

describe('connectWithRecovery with the SDK v2 Client in the 2026-07-28 era (against createMcpHandler)', () => {
  it('passes a modern connection through untouched: no session, no re-initialization', async () => {
    const server = await startModernServer();
    const events: SessionRecovery[] = [];
    const made = { transports: 0 };
    const mcp = await connectV2(server.url, { pin: '2026-07-28' }, events, made);
    expect(mcp.client.getProtocolEra()).toBe('modern');
    expect(mcp.sessionId).toBeUndefined();
    expect(await echo(mcp, 'modern')).toBe('modern');
    expect((await mcp.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);

    server.answer404.on = true;
    const error = await rejectionOf(echo(mcp, 'lost?'));
    expect(error).toBeInstanceOf(SdkHttpError);
    expect(parseSessionNotFound(error)?.code).toBe('SESSION_NOT_FOUND');
    expect(made.transports).toBe(1);
    expect(events).toEqual([]);

    server.answer404.on = false;
    expect(await echo(mcp, 'still')).toBe('still');
    expect(made.transports).toBe(1);
  });
});
