import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, SdkHttpError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  connectWithRecovery,
  type RecoveringClient,
  type SessionRecovery,
} from '../../src/client/index.js';
import { connectV1, connectV2, seenOf, startV2, textOf } from './harness.js';

async function echo(mcp: RecoveringClient<Client>, text: string): Promise<string | undefined> {
  return textOf(await mcp.callTool({ name: 'echo', arguments: { text } }));
}

describe('connectWithRecovery with the SDK v2 client in the 2025 era, against mcp-sessions/v2', () => {
  it('recovers from a session that ended: the call succeeds on a new session', async () => {
    const v2 = await startV2();
    const events: SessionRecovery[] = [];
    const mcp = await connectWithRecovery(
      new Client(
        { name: 'recovering', version: '1.0.0' },
        { versionNegotiation: { mode: 'legacy' } },
      ),
      () => new StreamableHTTPClientTransport(new URL(v2.url)),
      { onRecover: (event) => events.push(event) },
    );
    onTestFinished(() => mcp.close());
    expect(mcp.client.getProtocolEra()).toBe('legacy');
    expect(await echo(mcp, 'before')).toBe('before');
    const lost = mcp.sessionId!;
    expect(lost).toBeTypeOf('string');

    expect(await v2.sessions.end(lost, 'deleted')).toBe(true);
    expect(await echo(mcp, 'after')).toBe('after');

    expect(mcp.sessionId).toBeTypeOf('string');
    expect(mcp.sessionId).not.toBe(lost);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      status: 404,
      code: 'SESSION_EXPIRED',
      reason: 'deleted',
      previousSessionId: lost,
      sessionId: mcp.sessionId,
    });
    expect(events[0]!.error).toBeInstanceOf(SdkHttpError);
    expect((await v2.sessions.stats()).created).toBe(2);
  });
});

describe('mcp-sessions/v2 under SDK v2’s toNodeHandler', () => {
  it('serves both eras with ctx.http.req set, its fetch door reading the body once', async () => {
    const v2 = await startV2();
    const node = toNodeHandler(v2.handler);
    const http = createServer((req, res) => void node(req as Parameters<typeof node>[0], res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

    const modern = await connectV2(url, { pin: '2026-07-28' }, { 'x-probe': 'tn' });
    expect(seenOf(await modern.client.callTool({ name: 'whoami', arguments: {} }))).toEqual({
      era: 'modern',
      session: null,
      hasReq: true,
      probe: 'tn',
    });
    const legacy = await connectV1(url, { 'x-probe': 'tl' });
    expect(seenOf(await legacy.client.callTool({ name: 'whoami', arguments: {} }))).toEqual({
      era: 'legacy',
      session: legacy.transport.sessionId,
      hasReq: true,
      probe: 'tl',
    });
    expect((await v2.sessions.stats()).created).toBe(1);
  });
});
