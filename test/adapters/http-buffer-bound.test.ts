import { createServer, type IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionError, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { callRequest, postHeaders, rawInitialize, waitFor } from '../support/harness.js';
import { Latch } from '../support/latch.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

const MESSAGE_BYTES = 64 * 1024;
const MESSAGES = 256;

/**
 * A server whose `flood` tool, once `latch` opens, sends 16 MiB of log messages on its
 * request's stream.
 */
function floodServer(sent: { messages: number }, latch: Latch): McpServer {
  const server = new McpServer(
    { name: 'flood', version: '1.0.0' },
    { capabilities: { logging: {} } },
  );
  server.registerTool('flood', { description: 'Sends 16 MiB of log messages.' }, async (extra) => {
    await latch.pass();
    const data = 'x'.repeat(MESSAGE_BYTES);
    for (let i = 0; i < MESSAGES; i++) {
      await extra.sendNotification({
        method: 'notifications/message',
        params: { level: 'info', data },
      });
      sent.messages++;
    }
    return { content: [{ type: 'text', text: 'flooded' }] };
  });
  return server;
}

/** A handler over a manual-clock manager whose sessions run {@link floodServer}, bounded at 16 KiB. */
function floodEndpoint() {
  const sessions = new SessionManager({
    clock: new ManualClock(),
    idleTtlMs: 1000,
    autoStart: false,
  });
  open.push(sessions);
  const sent = { messages: 0 };
  const latch = new Latch();
  const handler = new StreamableHttpHandler({
    sessions,
    createServer: () => floodServer(sent, latch),
    maxBufferedBytes: 16 * 1024,
  });
  open.push(handler);
  return { sessions, sent, latch, handler };
}

describe('Streamable HTTP: what a stream buffers for a client that does not read is bounded', () => {
  it('validates maxBufferedBytes', () => {
    const sessions = new SessionManager({ autoStart: false });
    open.push(sessions);
    const build = (maxBufferedBytes: unknown) =>
      new StreamableHttpHandler({
        sessions,
        createServer: () => new McpServer({ name: 'x', version: '1' }),
        maxBufferedBytes: maxBufferedBytes as number,
      });
    for (const bad of [0, 1023, 1.5, 2 ** 31, '1MiB']) {
      expect(() => build(bad)).toThrow(SessionError);
      expect(() => build(bad)).toThrow(
        /`maxBufferedBytes`: expected an integer number of bytes from 1024 to 1073741824/,
      );
    }
    expect(() => build(1024)).not.toThrow();
  });

  it('ends the stream once more than maxBufferedBytes is unsent, releasing its pin; the session stays', async () => {
    const { sessions, latch, handler } = floodEndpoint();
    let closed = 0;
    let largestUnsent = 0;
    const http = createServer((req, res) => {
      const write = res.write.bind(res) as (chunk: unknown) => boolean;
      res.write = ((chunk: unknown) => {
        const ok = write(chunk);
        largestUnsent = Math.max(largestUnsent, res.writableLength);
        return ok;
      }) as typeof res.write;
      res.once('close', () => closed++);
      void handler.node(req, res);
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    open.push({
      close: () =>
        new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        }),
    });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
    const id = await rawInitialize(url);
    const closedBefore = closed;

    // A client that reads the headers, then nothing.
    const call = request(url, { method: 'POST', agent: false, headers: postHeaders(id) });
    const answered = new Promise<IncomingMessage>((resolve) => call.on('response', resolve));
    call.on('error', () => undefined);
    call.end(JSON.stringify(callRequest('flood')));
    const response = await answered;
    response.pause();
    expect(response.statusCode).toBe(200);
    await latch.arrivals(1);
    latch.open();

    await waitFor(() => closed === closedBefore + 1, 'the server to end the stalled stream');
    expect(largestUnsent).toBeLessThanOrEqual(16 * 1024 + MESSAGE_BYTES + 1024);
    await waitFor(async () => (await sessions.stats()).pinned === 0, 'the pin released');
    expect((await sessions.resolve(id)).status).toBe('active');
    response.destroy();
  });

  it('fetch door: ends a body nobody reads once more than maxBufferedBytes waits, releasing its pin', async () => {
    const { sessions, sent, latch, handler } = floodEndpoint();
    const url = 'http://127.0.0.1/mcp';
    const init = await handler.fetch(
      new Request(url, {
        method: 'POST',
        headers: postHeaders(),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: {
            protocolVersion: '2025-11-25',
            capabilities: {},
            clientInfo: { name: 'fetch', version: '1' },
          },
        }),
      }),
    );
    const id = init.headers.get('mcp-session-id')!;
    await init.text();
    await handler.fetch(
      new Request(url, {
        method: 'POST',
        headers: postHeaders(id),
        body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      }),
    );

    // A consumer that takes the response and never reads its body.
    const response = await handler.fetch(
      new Request(url, {
        method: 'POST',
        headers: postHeaders(id),
        body: JSON.stringify(callRequest('flood')),
      }),
    );
    expect(response.status).toBe(200);
    await latch.arrivals(1);
    expect((await sessions.stats()).pinned).toBe(1);
    latch.open();

    await waitFor(async () => (await sessions.stats()).pinned === 0, 'the pin released');
    expect(sent.messages).toBeLessThan(MESSAGES);
    await expect(response.body!.getReader().read()).rejects.toThrow(/read too slowly/);
    expect((await sessions.resolve(id)).status).toBe('active');
  });
});
