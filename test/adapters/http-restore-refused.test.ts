import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  StreamableHttpHandler,
  type StreamableHttpHandlerOptions,
} from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { initializeRequest, postHeaders } from '../support/harness.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

type Extra = Omit<StreamableHttpHandlerOptions, 'sessions' | 'createServer'>;

/** A handler on `sessions`, served on 127.0.0.1, with a logger spy; answers its port. */
async function replica(sessions: SessionManager, extra: (port: number) => Extra) {
  const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
  let handler: StreamableHttpHandler | undefined;
  const http = createServer((req, res) => void handler?.node(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  handler = new StreamableHttpHandler({
    sessions,
    logger,
    createServer: () => new McpServer({ name: 'replica', version: '1.0.0' }),
    ...extra(port),
  });
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  });
  open.push(handler);
  return { port, logger, handler };
}

/** A raw GET of the session's stream with exactly these headers; answers status and body. */
function get(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', headers, setHost: false });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.end();
  });
}

async function initializeOn(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/mcp`, {
    method: 'POST',
    headers: postHeaders(),
    body: JSON.stringify(initializeRequest()),
  });
  await response.text();
  expect(response.status).toBe(200);
  return response.headers.get('mcp-session-id')!;
}

describe('a restore with a foreign Host is the client’s 4xx, never a 500', () => {
  it('handler-level protection refuses it with 403 before the session is acquired', async () => {
    const clock = new ManualClock();
    const sessions = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false });
    open.push(sessions);
    const one = await replica(sessions, () => ({}));
    const two = await replica(sessions, (port) => ({
      enableDnsRebindingProtection: true,
      allowedHosts: [`127.0.0.1:${port}`],
    }));
    const id = await initializeOn(one.port);
    clock.advance(600);
    const refused = await get(two.port, {
      host: 'evil.example',
      accept: 'text/event-stream',
      'mcp-session-id': id,
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).error.message).toBe('Invalid Host header: evil.example');
    expect(two.handler.size).toBe(0);
    expect((await sessions.stats()).pinned).toBe(0);
    clock.advance(600);
    expect(await sessions.sweep()).toBe(1);
    expect(two.logger.error).not.toHaveBeenCalled();
  });

  it('a replay the SDK transport refuses answers its 4xx and releases the session', async () => {
    const sessions = new SessionManager({ clock: new ManualClock(), autoStart: false });
    open.push(sessions);
    const one = await replica(sessions, () => ({}));
    const two = await replica(sessions, () => ({
      transportOptions: () => ({
        enableDnsRebindingProtection: true,
        allowedHosts: ['elsewhere.example'],
      }),
    }));
    const id = await initializeOn(one.port);
    const refused = await get(two.port, {
      host: `127.0.0.1:${two.port}`,
      accept: 'text/event-stream',
      'mcp-session-id': id,
    });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({
      jsonrpc: '2.0',
      error: { code: -32000, message: expect.stringContaining('Invalid Host header') },
    });
    expect(two.handler.size).toBe(0);
    expect((await sessions.stats()).pinned).toBe(0);
    expect((await sessions.resolve(id)).status).toBe('active');
    expect(two.logger.error).not.toHaveBeenCalled();
  });
});
