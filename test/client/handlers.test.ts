import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import {
  connectWithRecovery,
  type RecoveringClient,
  type SessionRecovery,
} from '../../src/client/index.js';
import { SessionManager, type SessionManagerOptions } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { sessionEnd } from '../support/harness.js';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'handler-e2e', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(listener: RequestListener): Promise<string> {
  const http: Server = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

function managerFor(options: SessionManagerOptions = {}): SessionManager {
  const sessions = new SessionManager(options);
  cleanups.push(() => sessions.close());
  return sessions;
}

async function connect(
  newTransport: () => Transport,
  events: SessionRecovery[],
): Promise<RecoveringClient<Client>> {
  const mcp = await connectWithRecovery(
    new Client({ name: 'handler-e2e-client', version: '1.0.0' }),
    newTransport,
    { onRecover: (event) => events.push(event) },
  );
  cleanups.push(() => mcp.close());
  return mcp;
}

async function echo(mcp: RecoveringClient<Client>, text: string): Promise<string> {
  const result = await mcp.callTool({ name: 'echo', arguments: { text } });
  return (result.content as Array<{ text?: string }>)[0]?.text ?? '';
}

describe('connectWithRecovery with the Streamable HTTP handler', () => {
  it('recovers transparently from a session the sweeper ended (lifetime)', async () => {
    const clock = new ManualClock();
    const sessions = managerFor({ idleTtlMs: 0, maxLifetimeMs: 300, clock, autoStart: false });
    const handler = new StreamableHttpHandler({ sessions, createServer: buildServer });
    cleanups.push(() => handler.close());
    const url = new URL(`${await listen((req, res) => void handler.node(req, res))}/mcp`);
    const events: SessionRecovery[] = [];
    const mcp = await connect(() => new StreamableHTTPClientTransport(url), events);
    const lost = mcp.sessionId!;
    expect(await echo(mcp, 'one')).toBe('one');

    const ended = sessionEnd(sessions, lost);
    clock.advance(301);
    expect(await sessions.sweep()).toBe(1);
    expect((await ended).reason).toBe('lifetime');
    expect(await echo(mcp, 'two')).toBe('two');

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'lifetime',
      previousSessionId: lost,
      sessionId: mcp.sessionId,
    });
    expect(mcp.sessionId).not.toBe(lost);
    expect(handler.size).toBe(1);
  });

  it('recovers from SESSION_NOT_FOUND after the server restarts with a fresh manager', async () => {
    let handler = new StreamableHttpHandler({
      sessions: managerFor({ idleTtlMs: 0 }),
      createServer: buildServer,
    });
    const url = new URL(`${await listen((req, res) => void handler.node(req, res))}/mcp`);
    const events: SessionRecovery[] = [];
    const mcp = await connect(() => new StreamableHTTPClientTransport(url), events);
    const lost = mcp.sessionId;

    await handler.close();
    handler = new StreamableHttpHandler({
      sessions: managerFor({ idleTtlMs: 0 }),
      createServer: buildServer,
    });
    cleanups.push(() => handler.close());

    expect(await echo(mcp, 'after restart')).toBe('after restart');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ code: 'SESSION_NOT_FOUND', previousSessionId: lost });
    expect(events[0]!.sessionId).toBe(mcp.sessionId);
  });
});

describe('connectWithRecovery with the legacy HTTP+SSE handler', () => {
  it('recovers transparently from a session the server ended', async () => {
    const sessions = managerFor({ idleTtlMs: 0 });
    const handler = new SseHandler({ sessions, createServer: buildServer });
    const base = await listen((req, res) => void handler.node(req, res));
    const events: SessionRecovery[] = [];
    let transports = 0;
    const mcp = await connect(() => {
      transports += 1;
      return new SSEClientTransport(new URL(`${base}/sse`));
    }, events);
    expect(await echo(mcp, 'one')).toBe('one');
    const [first] = await sessions.list();
    expect(first).toBeDefined();

    expect(await sessions.end(first!.id, 'closed')).toBe(true);
    expect(await echo(mcp, 'two')).toBe('two');

    expect(transports).toBe(2);
    expect(await sessions.count()).toBe(1);
    expect(handler.size).toBe(1);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'closed' });
  });
});
