import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { KEEP_ALIVE_FRAME, SseHandler } from '../../src/adapters/sse/index.js';
import { boundSends } from '../../src/adapters/sse/stream.js';
import { WebSseTransport } from '../../src/adapters/sse/web-transport.js';
import { SessionManager } from '../../src/index.js';
import { toolText, untilPinned, wait, waitFor } from '../support/harness.js';
import {
  connectSse,
  endedWith,
  openRawStream,
  ping,
  post,
  startSse,
} from '../support/sse-harness.js';

describe('legacy SSE: a closed stream ends its session', () => {
  it('frees capacity at once: N streams opened and closed, then a new stream opens (200, not 503)', async () => {
    const h = await startSse({ maxSessions: 3 });
    const closed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const stream = await openRawStream(h);
      closed.push(stream.sessionId);
      stream.res.destroy();
    }
    await untilPinned(h.manager, 0);
    // No time passed and no sweep ran: the slots freed when the streams closed.
    const fresh = await openRawStream(h);
    expect(fresh.res.statusCode).toBe(200);
    for (const id of closed) {
      const end = await endedWith(h, id);
      expect(end.reason).toBe('deleted');
      expect(h.counts.serversClosed.has(id)).toBe(true);
    }
    expect((await h.manager.stats()).live).toBe(1);
    expect(h.handler.size).toBe(1);
    // A POST naming a closed stream's session answers the 404 of a session the client ended.
    const answer = await post(h, `?sessionId=${closed[0]}`, ping);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-session-expired-reason')).toBe('deleted');
    expect(answer.json.error.data).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'deleted' });
  });
});

describe('legacy SSE: what a stream buffers is bounded', () => {
  const BOUND = 16 * 1024;
  const PAYLOAD = 'x'.repeat(64 * 1024);

  it('ends the stream and its session (closed) once a client that never reads passes maxBufferedBytes', async () => {
    // The most the stream's response ever held after a write, and the largest single frame.
    const seen = { maxBuffered: 0, maxFrame: 0, stream: undefined as ServerResponse | undefined };
    const h = await startSse(
      {},
      { maxBufferedBytes: BOUND, keepAliveMs: 0 },
      {
        wrap: (handler) => (req, res) => {
          if (req.url === '/sse') {
            seen.stream = res;
            const write = res.write.bind(res) as (chunk: unknown) => boolean;
            res.write = ((chunk: string | Uint8Array) => {
              const written = write(chunk);
              seen.maxFrame = Math.max(seen.maxFrame, Buffer.byteLength(chunk));
              seen.maxBuffered = Math.max(seen.maxBuffered, res.writableLength);
              return written;
            }) as typeof res.write;
          }
          void handler.node(req, res);
        },
      },
    );
    const stream = await openRawStream(h);
    // The client stops reading: what the server writes piles up in the socket buffers, then in
    // the response.
    stream.res.pause();
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: PAYLOAD } },
    });
    let status = 202;
    let posts = 0;
    // Loopback socket buffers hold a few MiB before the response starts buffering.
    for (; status === 202 && posts < 400; posts++) {
      status = (await post(h, `?sessionId=${stream.sessionId}`, call(posts))).status;
      if (h.ended.length > 0) break;
    }
    const end = await endedWith(h, stream.sessionId);
    expect(end.reason).toBe('closed');
    await waitFor(() => h.counts.serversClosed.has(stream.sessionId), 'the server closed');
    expect(seen.stream?.destroyed).toBe(true);
    expect(seen.maxBuffered).toBeGreaterThan(BOUND);
    expect(seen.maxBuffered).toBeLessThanOrEqual(BOUND + seen.maxFrame);
    const after = await post(h, `?sessionId=${stream.sessionId}`, call(0));
    expect(after.status).toBe(404);
    expect(after.json.error.data).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'closed' });
    expect(h.handler.size).toBe(0);
  });
});

describe('legacy SSE: a client that reads keeps its stream', () => {
  it('delivers answers larger than maxBufferedBytes to a client that reads them', async () => {
    const h = await startSse({}, { maxBufferedBytes: 1024 });
    const { client, sessionId } = await connectSse(h);
    const big = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 3; i++) expect(await toolText(client, 'echo', { text: big })).toBe(big);
    expect(h.ended).toEqual([]);
    expect((await h.manager.resolve(sessionId)).status).toBe('active');
  });
});

describe('legacy SSE node door: keep-alives wait for a drained stream', () => {
  it('writes no keep-alive while the response is not drained, and resumes once the client reads', async () => {
    const frames = { whileFull: 0, drained: 0 };
    let stream: ServerResponse | undefined;
    const h = await startSse(
      {},
      { keepAliveMs: 5 },
      {
        wrap: (handler) => (req, res) => {
          if (req.url === '/sse') {
            stream = res;
            const write = res.write.bind(res) as (chunk: unknown) => boolean;
            res.write = ((chunk: string | Uint8Array) => {
              if (chunk === KEEP_ALIVE_FRAME) {
                if (res.writableNeedDrain) frames.whileFull++;
                else frames.drained++;
              }
              return write(chunk);
            }) as typeof res.write;
          }
          void handler.node(req, res);
        },
      },
    );
    const raw = await openRawStream(h);
    raw.res.pause();
    const text = 'k'.repeat(64 * 1024);
    for (let i = 0; !stream?.writableNeedDrain && i < 400; i++) {
      const call = {
        jsonrpc: '2.0',
        id: i,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text } },
      };
      expect((await post(h, `?sessionId=${raw.sessionId}`, call)).status).toBe(202);
    }
    expect(stream?.writableNeedDrain).toBe(true);
    // Several keep-alive periods pass while the response is full.
    const before = frames.drained;
    await wait(50);
    expect(frames.whileFull).toBe(0);
    expect(frames.drained).toBe(before);
    raw.res.resume();
    await waitFor(() => frames.drained > before, 'a keep-alive after the stream drained');
    expect(frames.whileFull).toBe(0);
  });
});

describe('WebSseTransport: what the fetch door buffers', () => {
  it('counts what the client has not read, skips keep-alives meanwhile, and overflows past the bound', async () => {
    const transport = new WebSseTransport('/messages');
    await transport.start();
    const response = transport.response();
    if (!(response instanceof Response)) throw new Error('expected the stream');
    const endpointBytes = transport.buffered;
    expect(endpointBytes).toBeGreaterThan(0);
    let overflows = 0;
    boundSends(transport, transport, 4096, () => {
      overflows++;
      transport.abort();
    });
    const message = {
      jsonrpc: '2.0' as const,
      method: 'notifications/message',
      params: { data: 'z'.repeat(3000) },
    };
    await transport.send(message);
    const buffered = transport.buffered;
    expect(buffered).toBeGreaterThan(3000);
    // A keep-alive while data waits adds nothing.
    expect(transport.keepAlive()).toBe(true);
    expect(transport.buffered).toBe(buffered);
    await transport.send(message);
    expect(transport.buffered).toBeGreaterThan(4096);
    await expect(transport.send(message)).rejects.toThrow('Not connected');
    expect(overflows).toBe(1);
    expect(transport.closed).toBe(true);
    expect(transport.buffered).toBe(0);
    await expect(response.body!.getReader().read()).rejects.toThrow(/did not read/);
  });

  it('writes keep-alives again once the client has read everything', async () => {
    const transport = new WebSseTransport('/messages');
    await transport.start();
    const response = transport.response() as Response;
    const reader = response.body!.getReader();
    await reader.read();
    expect(transport.buffered).toBe(0);
    expect(transport.keepAlive()).toBe(true);
    expect(transport.buffered).toBe(KEEP_ALIVE_FRAME.length);
    await transport.close();
  });
});

describe('legacy SSE: session IDs come from the manager', () => {
  it('the node door names its sessions with the manager generateId', async () => {
    const issued: string[] = [];
    const h = await startSse({
      generateId: () => issued[issued.push(`sse-node-${issued.length}-${randomUUID()}`) - 1]!,
    });
    const probed = issued.length; // the manager probes a custom generator at construction
    const { client, sessionId } = await connectSse(h);
    expect(sessionId).toBe(issued[probed]);
    expect(await toolText(client, 'whoami')).toBe(issued[probed]);
    const stream = await openRawStream(h);
    expect(stream.sessionId).toBe(issued[probed + 1]);
    expect(stream.received()).toContain(`data: /messages?sessionId=${issued[probed + 1]}\n\n`);
    expect((await post(h, `?sessionId=${issued[probed + 1]}`, ping)).status).toBe(202);
  });
});

describe('legacy SSE fetch door: session IDs come from the manager', () => {
  it('names its sessions with the manager generateId', async () => {
    const issued: string[] = [];
    const sessions = new SessionManager({
      autoStart: false,
      generateId: () => issued[issued.push(`sse-web-${issued.length}-${randomUUID()}`) - 1]!,
    });
    const probed = issued.length;
    const handler = new SseHandler({
      sessions,
      keepAliveMs: 0,
      createServer: () => new McpServer({ name: 'ids', version: '1.0.0' }),
    });
    onTestFinished(() => sessions.close());
    const response = await handler.fetch(new Request('http://127.0.0.1/sse'));
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe(`event: endpoint\ndata: /messages?sessionId=${issued[probed]}\n\n`);
    expect((await sessions.resolve(issued[probed]!)).status).toBe('active');
    const answer = await handler.fetch(
      new Request(`http://127.0.0.1/messages?sessionId=${issued[probed]}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ping),
      }),
    );
    expect(answer.status).toBe(202);
    await reader.cancel();
    expect((await sessions.resolve(issued[probed]!)).status).toBe('ended');
    await handler.close();
  });
});
