import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { unsupportedVersionOf } from '../../src/adapters/shared/protocol-version.js';
import { StreamableHttpGate } from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { postHeaders, readAnswer, startHarness } from '../support/harness.js';

/** What SDK v2's client sends first in `auto` or pinned mode: a 2026-07-28 `server/discover`. */
function discoverProbe(version = '2026-07-28'): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id: 'probe-1',
    method: 'server/discover',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': version,
        'io.modelcontextprotocol/clientInfo': { name: 'probe', version: '1.0.0' },
      },
    },
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...postHeaders(), ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: await readAnswer(response) };
}

function expectUnsupported(
  answer: { status: number; json: unknown },
  requested: string,
  id: unknown,
) {
  expect(answer.status).toBe(400);
  expect(answer.json).toEqual({
    jsonrpc: '2.0',
    id,
    error: {
      code: -32022,
      message: `Unsupported protocol version: ${requested}`,
      data: { supported: [...SUPPORTED_PROTOCOL_VERSIONS], requested },
    },
  });
}

describe('StreamableHttpHandler: requests of a later protocol (2026-07-28)', () => {
  it('answers the spec’s unsupported-protocol-version error, creating no session', async () => {
    const h = await startHarness();
    expectUnsupported(await post(h.mcpUrl, discoverProbe()), '2026-07-28', 'probe-1');
    const byHeader = await post(
      h.mcpUrl,
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      { 'mcp-protocol-version': '2026-07-28' },
    );
    expectUnsupported(byHeader, '2026-07-28', 3);
    // A 2025 request without a session still gets the missing-header 400.
    const plain = await post(h.mcpUrl, { jsonrpc: '2.0', id: 4, method: 'tools/list' });
    expect(plain.status).toBe(400);
    expect((plain.json as { error: { code: number } }).error.code).toBe(-32000);
    expect((await h.sessions.stats()).created).toBe(0);
  });

  it('an SDK v2 client in auto mode falls back to a session; one pinned to 2026-07-28 is refused', async () => {
    const h = await startHarness();
    const auto = new Client(
      { name: 'auto', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    onTestFinished(() => auto.close());
    const transport = new StreamableHTTPClientTransport(new URL(h.mcpUrl));
    await auto.connect(transport);
    expect(auto.getProtocolEra()).toBe('legacy');
    expect(transport.sessionId).toBeTypeOf('string');
    const result = await auto.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect((result.content as Array<{ text?: string }>)[0]?.text).toBe('hi');

    const pinned = new Client(
      { name: 'pinned', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    onTestFinished(() => pinned.close());
    await expect(
      pinned.connect(new StreamableHTTPClientTransport(new URL(h.mcpUrl))),
    ).rejects.toThrow();
    expect((await h.sessions.stats()).created).toBe(1);
  });
});

describe('StreamableHttpGate: requests of a later protocol (2026-07-28)', () => {
  it('answers the spec’s unsupported-protocol-version error before any session exists', async () => {
    const sessions = new SessionManager({ clock: new ManualClock(), autoStart: false });
    const gate = new StreamableHttpGate({ sessions });
    let admitted = 0;
    const http = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const pass = await gate.admit(req, res, JSON.parse(Buffer.concat(chunks).toString('utf8')));
      if (pass === undefined) return;
      admitted += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onTestFinished(async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await sessions.close();
    });
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;

    expectUnsupported(await post(url, discoverProbe('2027-01-01')), '2027-01-01', 'probe-1');
    expect(admitted).toBe(0);
    expect((await sessions.stats()).created).toBe(0);
  });
});

describe('unsupportedVersionOf', () => {
  const supported = ['2025-11-25', '2025-06-18'];

  it('answers the header or the _meta version outside the supported ones, else undefined', () => {
    expect(unsupportedVersionOf('2026-07-28', {}, supported)).toBe('2026-07-28');
    expect(unsupportedVersionOf(undefined, discoverProbe(), supported)).toBe('2026-07-28');
    expect(unsupportedVersionOf('2025-06-18', discoverProbe(), supported)).toBe('2026-07-28');
    expect(unsupportedVersionOf('2025-06-18', { method: 'tools/list' }, supported)).toBeUndefined();
    expect(unsupportedVersionOf(undefined, discoverProbe('2025-11-25'), supported)).toBeUndefined();
    expect(unsupportedVersionOf(['a', 'b'], [discoverProbe()], supported)).toBeUndefined();
    expect(unsupportedVersionOf('', { params: { _meta: null } }, supported)).toBeUndefined();
  });
});
