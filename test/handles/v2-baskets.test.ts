// The demo's basket tools on an SDK v2 McpServer behind createMcpHandler (no session anywhere),
// called by the SDK v2 Client pinned to 2026-07-28 over real HTTP on 127.0.0.1.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { authenticate, parseAuthTokens } from '../../examples/demo/auth.js';
import { registerBasketTools } from '../../examples/demo/baskets.js';
import { HandleKind } from '../../src/handles/index.js';
import { ManualClock } from '../../src/testing/index.js';

const MINUTE = 60_000;
const clock = new ManualClock(Date.now());
const baskets = new HandleKind<string[]>({
  name: 'basket',
  prefix: 'bsk',
  clock,
  autoStart: false,
  maxPerOwner: 2,
});
const tokens = parseAuthTokens('tok-a=alice, tok-b=bob');
let http: Server;
let url: string;
let servers = 0;
let closeHandler: () => Promise<void>;

beforeAll(async () => {
  const handler = createMcpHandler(
    () => {
      servers++;
      const server = new McpServer({ name: 'baskets-v2', version: '1.0.0' });
      registerBasketTools(server, baskets);
      return server;
    },
    { legacy: 'reject' },
  );
  closeHandler = () => handler.close();
  const node = toNodeHandler(handler);
  http = createServer((req, res) => {
    if (authenticate(tokens, req, res)) void node(req as Parameters<typeof node>[0], res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  await closeHandler();
  await baskets.close();
  await new Promise<void>((resolve) => {
    http.close(() => resolve());
    http.closeAllConnections();
  });
});

async function connect(token: string): Promise<Client> {
  const client = new Client(
    { name: 'v2-baskets', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  onTestFinished(() => client.close());
  expect(client.getProtocolEra()).toBe('modern');
  expect(transport.sessionId).toBeUndefined();
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = await client.callTool({ name, arguments: args });
  const content = result.content as Array<{ type: string; text?: string }>;
  return { text: content[0]?.text ?? '', isError: result.isError === true };
}

describe('basket tools on SDK v2 in the 2026-07-28 era', () => {
  it('create, add, view, list and destroy, per user, with a fresh server per request', async () => {
    const alice = await connect('tok-a');
    const names = (await alice.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([
      'add_item',
      'create_basket',
      'destroy_basket',
      'list_baskets',
      'view_basket',
    ]);
    const before = servers;
    const created = await call(alice, 'create_basket');
    const id = created.text.match(/bsk_[A-Za-z0-9_-]{22}/)![0];
    await call(alice, 'add_item', { basket_id: id, item: 'apple' });
    await call(alice, 'add_item', { basket_id: id, item: 'pear' });
    expect(await call(alice, 'view_basket', { basket_id: id })).toEqual({
      text: '1. apple\n2. pear',
      isError: false,
    });
    expect(servers - before).toBeGreaterThanOrEqual(4);
    expect((await call(alice, 'list_baskets')).text).toContain(id);

    const bob = await connect('tok-b');
    const stranger = await call(bob, 'view_basket', { basket_id: id });
    expect(stranger).toEqual({
      isError: true,
      text: `Basket ${id} was not found: it does not exist or is not yours. Create a new basket with create_basket.`,
    });
    expect((await call(bob, 'list_baskets')).text).toBe('You hold no baskets.');

    expect((await call(alice, 'destroy_basket', { basket_id: id })).text).toBe(
      `Basket ${id} destroyed.`,
    );
    const gone = await call(alice, 'view_basket', { basket_id: id });
    expect(gone.isError).toBe(true);
    expect(gone.text).toMatch(new RegExp(`^Basket ${id} has expired: it was destroyed \\(at `));
  });

  it('expires an unused basket and says so to its owner only', async () => {
    const alice = await connect('tok-a');
    const id = (await call(alice, 'create_basket')).text.match(/bsk_[A-Za-z0-9_-]{22}/)![0];
    clock.advance(31 * MINUTE);
    await baskets.sweep();
    expect((await call(alice, 'view_basket', { basket_id: id })).text).toMatch(
      new RegExp(`^Basket ${id} has expired: it was not used for 30 minutes`),
    );
    const bob = await connect('tok-b');
    expect((await call(bob, 'view_basket', { basket_id: id })).text).toMatch(/was not found/);
  });
});
