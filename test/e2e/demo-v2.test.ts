import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoHealth, type DemoServer, startDemoServer } from '../../examples/demo-server.js';
import { SESSION_ID_HEADER } from '../../src/protocol.js';
import { ManualClock } from '../../src/testing/index.js';
import { waitFor } from '../support/wait.js';

const MODERN = '2026-07-28';
const IDLE_TTL_MS = 60_000;
const BASKET_TOOLS = ['add_item', 'create_basket', 'destroy_basket', 'list_baskets', 'view_basket'];
const STATELESS_TOOLS = [...BASKET_TOOLS, 'echo', 'sleep'].sort();
const SESSION_TOOLS = [
  ...BASKET_TOOLS,
  'announce',
  'counter',
  'echo',
  'elicit',
  'sample',
  'sleep',
].sort();

let demo: DemoServer | undefined;
let clock: ManualClock;
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await demo?.close();
  demo = undefined;
});

async function startV2(sdk: 'v1' | 'v2' = 'v2'): Promise<DemoServer> {
  clock = new ManualClock();
  demo = await startDemoServer({
    sdk,
    port: 0,
    log: null,
    managerOptions: { clock, autoStart: false, idleTtlMs: IDLE_TTL_MS },
  });
  return demo;
}

/** A fetch that records every `Mcp-Session-Id` the server answers with. */
function recordingFetch(seen: string[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const id = response.headers.get(SESSION_ID_HEADER);
    if (id !== null) seen.push(id);
    return response;
  };
}

type Negotiation = 'legacy' | 'auto' | { pin: string };

async function v2Client(url: string, mode: Negotiation, seen: string[] = []) {
  const client = new Client(
    { name: 'demo-v2-test', version: '1.0.0' },
    { versionNegotiation: { mode } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: recordingFetch(seen),
  });
  await client.connect(transport);
  closers.push(() => client.close());
  return { client, transport, seen };
}

async function toolNames(client: { listTools(): Promise<{ tools: { name: string }[] }> }) {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

async function health(server: DemoServer): Promise<DemoHealth> {
  return (await (await fetch(`${server.url}/healthz`)).json()) as DemoHealth;
}

function textOf(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]!.text;
}

describe('demo on SDK v2 (--sdk v2)', () => {
  it.each<[string, Negotiation]>([
    ['pinned to 2026-07-28', { pin: MODERN }],
    ['in auto mode', 'auto'],
  ])(
    'serves a v2 client %s without a session: stateless tools only, nothing kept',
    async (_, mode) => {
      const server = await startV2();
      const { client, seen } = await v2Client(server.mcpUrl, mode);
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect(await toolNames(client)).toEqual(STATELESS_TOOLS);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
      expect(seen).toEqual([]);
      const stats = await health(server);
      expect(stats.live).toBe(0);
      expect(stats.created).toBe(0);
      expect(stats.transports.streamableHttp).toBe(0);
    },
  );

  it('keeps baskets across eras: made by a 2026-07-28 client, seen by a 2025-era one', async () => {
    const server = await startV2();
    const { client: modern, seen } = await v2Client(server.mcpUrl, { pin: MODERN });
    const created = textOf(await modern.callTool({ name: 'create_basket', arguments: {} }));
    const basket = created.match(/bsk_[A-Za-z0-9_-]{22,}/)![0];
    await modern.callTool({ name: 'add_item', arguments: { basket_id: basket, item: 'apple' } });
    await modern.callTool({ name: 'add_item', arguments: { basket_id: basket, item: 'pear' } });
    expect(seen).toEqual([]);
    expect((await health(server)).created).toBe(0);

    const { client: legacy } = await v2Client(server.mcpUrl, 'legacy');
    const view = textOf(
      await legacy.callTool({ name: 'view_basket', arguments: { basket_id: basket } }),
    );
    expect(view).toContain('apple');
    expect(view.indexOf('apple')).toBeLessThan(view.indexOf('pear'));
  });

  it('gives a v2 client in legacy mode a session with every tool, a counter and DELETE', async () => {
    const server = await startV2();
    const { client, transport, seen } = await v2Client(server.mcpUrl, 'legacy');
    expect(client.getNegotiatedProtocolVersion()).not.toBe(MODERN);
    expect(await toolNames(client)).toEqual(SESSION_TOOLS);
    expect(textOf(await client.callTool({ name: 'counter', arguments: {} }))).toBe('1');
    expect(textOf(await client.callTool({ name: 'counter', arguments: {} }))).toBe('2');
    const id = transport.sessionId!;
    expect(seen).toContain(id);
    const stats = await health(server);
    expect(stats.live).toBe(1);
    expect(stats.transports.streamableHttp).toBe(1);

    const deleted = await fetch(server.mcpUrl, {
      method: 'DELETE',
      headers: { [SESSION_ID_HEADER]: id, 'mcp-protocol-version': '2025-11-25' },
    });
    expect(deleted.status).toBe(200);
    const after = await postPing(server.mcpUrl, id);
    expect(after.status).toBe(404);
    expect(((await after.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'SESSION_EXPIRED',
    );
  });

  it('gives a v1 client a session that expires when idle: 404 SESSION_EXPIRED, unknown IDs SESSION_NOT_FOUND', async () => {
    const server = await startV2();
    const client = new V1Client({ name: 'demo-v2-test', version: '1.0.0' });
    const transport = new V1Transport(new URL(server.mcpUrl));
    await client.connect(transport);
    closers.push(() => client.close());
    expect(await toolNames(client)).toEqual(SESSION_TOOLS);
    expect(textOf(await client.callTool({ name: 'counter', arguments: {} }))).toBe('1');
    const id = transport.sessionId!;
    // The client's GET stream pins the session; once it is gone, the idle clock runs.
    await client.close();
    await waitFor(async () => (await health(server)).pinned === 0, 'the stream to be released');

    clock.advance(IDLE_TTL_MS + 1);
    expect(await server.sessions.sweep()).toBe(1);
    const expired = await postPing(server.mcpUrl, id);
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'SESSION_EXPIRED',
    );
    const unknown = await postPing(server.mcpUrl, 'never-issued-0123456789abcdef');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'SESSION_NOT_FOUND',
    );
    expect((await health(server)).transports.streamableHttp).toBe(0);
  });

  it('keeps answering 2026-07-28 requests with the unsupported-version error on SDK v1 (the default)', async () => {
    const server = await startV2('v1');
    const { client } = await v2Client(server.mcpUrl, 'auto');
    expect(client.getNegotiatedProtocolVersion()).not.toBe(MODERN);
    expect(await toolNames(client)).toEqual(SESSION_TOOLS);
    const probe = await fetch(server.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'server/discover',
        params: { _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN } },
      }),
    });
    expect(probe.status).toBe(400);
    const body = (await probe.json()) as { error: { code: number; data: { supported: string[] } } };
    expect(body.error.code).toBe(-32022);
    expect(body.error.data.supported).not.toContain(MODERN);
  });
});

function postPing(url: string, sessionId: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      [SESSION_ID_HEADER]: sessionId,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' }),
  });
}
