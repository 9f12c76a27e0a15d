import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { NodeStreamableHTTPServerTransport, toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler } from '@modelcontextprotocol/server';
import express from 'express';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StreamableHttpGate } from '../../src/adapters/v2/index.js';
import { SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { callRequest, rawInitialize, rawPost } from '../support/harness.js';
import { listen } from '../support/http.js';
import { buildServer, connectV1, connectV2, seenOf, textOf } from './harness.js';

const IDLE_MS = 60_000;

/** Own SDK v2 wiring behind the gate: createMcpHandler for modern, a transport map for legacy. */
async function startGated() {
  const clock = new ManualClock();
  const sessions = new SessionManager({ clock, autoStart: false, idleTtlMs: IDLE_MS });
  const gate = new StreamableHttpGate({ sessions });
  const mcp = createMcpHandler(() => buildServer({ era: 'modern', session: undefined }), {
    legacy: 'reject',
  });
  const modern = toNodeHandler(mcp);
  const transports = new Map<string, NodeStreamableHTTPServerTransport>();
  const seen = { modern: 0, legacy: 0 };
  const app = express();
  app.all('/mcp', express.json(), async (req, res) => {
    const pass = await gate.admit(req, res);
    if (pass === undefined) return;
    if (pass.era === 'modern') {
      seen.modern++;
      return modern(req as Parameters<typeof modern>[0], res, pass.body);
    }
    seen.legacy++;
    let transport = transports.get(pass.sessionId);
    if (transport === undefined) {
      transport = new NodeStreamableHTTPServerTransport(pass.transportOptions());
      transports.set(pass.sessionId, transport);
      const server = buildServer({ era: 'legacy', session: pass.session });
      pass.closeOnEnd(transport, server, () => transports.delete(pass.sessionId));
      await server.connect(transport);
    }
    await transport.handleRequest(req, res, pass.body);
  });
  const port = await listen(app as unknown as Parameters<typeof listen>[0]);
  onTestFinished(async () => {
    await mcp.close();
    await sessions.close();
  });
  return { url: `http://127.0.0.1:${port}/mcp`, sessions, clock, seen, transports };
}

describe('mcp-sessions/v2 StreamableHttpGate in front of your own SDK v2 wiring', () => {
  it('passes modern requests through untouched and gives legacy ones sessions', async () => {
    const g = await startGated();
    const modern = await connectV2(g.url, { pin: '2026-07-28' });
    expect(textOf(await modern.client.callTool({ name: 'echo', arguments: { text: 'm' } }))).toBe(
      'm',
    );
    expect(modern.transport.sessionId).toBeUndefined();
    expect(g.seen.modern).toBeGreaterThan(0);
    expect(g.seen.legacy).toBe(0);
    expect((await g.sessions.stats()).created).toBe(0);

    const legacy = await connectV2(g.url, 'legacy');
    const v1 = await connectV1(g.url);
    expect(textOf(await legacy.client.callTool({ name: 'echo', arguments: { text: 'l' } }))).toBe(
      'l',
    );
    const who = seenOf(await v1.client.callTool({ name: 'whoami', arguments: {} }));
    expect(who).toMatchObject({ era: 'legacy', session: v1.transport.sessionId, hasReq: true });
    expect((await g.sessions.stats()).created).toBe(2);
    expect(g.transports.size).toBe(2);
  });

  it('answers the 404 table and ends idle sessions, closing their transports', async () => {
    const g = await startGated();
    const unknown = await rawPost(g.url, 'b'.repeat(32), callRequest('echo', { text: 'x' }));
    expect(unknown.status).toBe(404);
    expect((unknown.json as { error: { data: unknown } }).error.data).toEqual({
      code: 'SESSION_NOT_FOUND',
    });
    const id = await rawInitialize(g.url);
    expect(g.transports.size).toBe(1);
    g.clock.advance(IDLE_MS);
    expect(await g.sessions.sweep()).toBe(1);
    const gone = await rawPost(g.url, id, callRequest('echo', { text: 'x' }));
    expect(gone.status).toBe(404);
    expect((gone.json as { error: { data: unknown } }).error.data).toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'idle',
    });
    expect(g.transports.size).toBe(0);
  });

  it('an auto-mode client negotiates the modern era through the gate', async () => {
    const g = await startGated();
    const client = new Client(
      { name: 'auto', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    onTestFinished(() => client.close());
    await client.connect(new StreamableHTTPClientTransport(new URL(g.url)));
    expect(client.getProtocolEra()).toBe('modern');
    expect((await g.sessions.stats()).created).toBe(0);
  });
});
