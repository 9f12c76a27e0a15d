// The demo's basket tools through an SDK v1 client over real HTTP, in memory, with and without
// bearer tokens; and the demo's basket flags.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { basketOptionsOf } from '../../examples/demo/config.js';
import {
  type DemoServer,
  parseAuthTokens,
  parseDemoConfig,
  startDemoServer,
} from '../../examples/demo-server.js';
import { ManualClock } from '../../src/testing/index.js';

const MINUTE = 60_000;
let demo: DemoServer | undefined;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await demo?.close();
  demo = undefined;
});

async function connect(token?: string): Promise<Client> {
  const client = new Client({ name: 'baskets', version: '1' });
  clients.push(client);
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  await client.connect(
    new StreamableHTTPClientTransport(new URL(demo!.mcpUrl), { requestInit: { headers } }),
  );
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { text: string }[];
    isError?: boolean;
  };
  return { text: result.content[0]?.text ?? '', isError: result.isError === true };
}

const handleIn = (text: string) => text.match(/bsk_[A-Za-z0-9_-]{22}/)![0];

describe('demo basket tools', () => {
  it('belong to the user across connections; strangers, quota, expiry and destroy answer tool errors', async () => {
    const clock = new ManualClock(Date.now());
    demo = await startDemoServer({
      port: 0,
      log: null,
      authTokens: parseAuthTokens('tok-a=alice, tok-a2=alice, tok-b=bob'),
      basketOptions: { clock, autoStart: false, maxPerOwner: 2, idleTtlMs: 30 * MINUTE },
    });
    const alice = await connect('tok-a');
    const tools = (await alice.listTools()).tools;
    for (const name of [
      'create_basket',
      'add_item',
      'view_basket',
      'list_baskets',
      'destroy_basket',
    ]) {
      const tool = tools.find((t) => t.name === name);
      expect(tool?.description).toContain('Baskets last 30 minutes after their last use.');
    }
    const created = await call(alice, 'create_basket');
    expect(created.text).toMatch(
      /^Created basket bsk_\S+\. Baskets last 30 minutes after their last use\./,
    );
    const id = handleIn(created.text);
    expect((await call(alice, 'add_item', { basket_id: id, item: 'apple' })).text).toBe(
      `Added "apple" to basket ${id} (1 items).`,
    );
    const again = await connect('tok-a2');
    await call(again, 'add_item', { basket_id: id, item: 'pear' });
    expect((await call(alice, 'view_basket', { basket_id: id })).text).toBe('1. apple\n2. pear');
    expect((await call(again, 'list_baskets')).text).toContain(id);

    const bob = await connect('tok-b');
    const stranger = await call(bob, 'view_basket', { basket_id: id });
    const never = `bsk_${Buffer.alloc(16, 3).toString('base64url')}`;
    const unknown = await call(bob, 'view_basket', { basket_id: never });
    expect(stranger.isError && unknown.isError).toBe(true);
    expect(stranger.text.replace(id, 'ID')).toBe(unknown.text.replace(never, 'ID'));
    expect((await call(bob, 'destroy_basket', { basket_id: id })).text.replace(id, 'ID')).toBe(
      stranger.text.replace(id, 'ID'),
    );
    expect((await call(bob, 'list_baskets')).text).toBe('You hold no baskets.');

    const second = handleIn((await call(alice, 'create_basket')).text);
    const refused = await call(alice, 'create_basket');
    expect(refused).toEqual({
      isError: true,
      text: expect.stringMatching(/^You already hold 2 live baskets, the most allowed\./),
    });
    expect((await call(alice, 'destroy_basket', { basket_id: second })).text).toBe(
      `Basket ${second} destroyed.`,
    );
    const destroyed = await call(alice, 'view_basket', { basket_id: second });
    expect(destroyed.isError).toBe(true);
    expect(destroyed.text).toMatch(
      new RegExp(`^Basket ${second} has expired: it was destroyed \\(at `),
    );

    clock.advance(31 * MINUTE);
    await demo.baskets.sweep();
    const expired = await call(alice, 'view_basket', { basket_id: id });
    expect(expired.text).toBe(
      `Basket ${id} has expired: it was not used for 30 minutes (at ${new Date(clock.now()).toISOString()}). ` +
        'Its contents are gone. Create a new basket with create_basket.',
    );
    expect((await call(bob, 'view_basket', { basket_id: id })).text.replace(id, 'ID')).toBe(
      stranger.text.replace(id, 'ID'),
    );
    expect((await call(alice, 'add_item', { basket_id: 'bsk_nope', item: 'x' })).text).toMatch(
      /^Invalid basket_id: not a basket handle/,
    );
  });

  it('without tokens, holding the handle is enough and list answers none', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const one = await connect();
    const id = handleIn((await call(one, 'create_basket')).text);
    const other = await connect();
    await call(other, 'add_item', { basket_id: id, item: 'shared' });
    expect((await call(one, 'view_basket', { basket_id: id })).text).toBe('1. shared');
    expect((await call(one, 'list_baskets')).text).toBe('You hold no baskets.');
  });
});

describe('demo basket flags', () => {
  it('default to 30 minutes idle, no lifetime, 100 per user; flags win over variables', () => {
    expect(basketOptionsOf(parseDemoConfig([], {}))).toEqual({
      idleTtlMs: 1_800_000,
      maxLifetimeMs: 0,
      maxPerOwner: 100,
    });
    const config = parseDemoConfig(
      ['--handle-ttl-ms', '60000', '--handle-max-per-owner', '3', '--sweep-ms', '500'],
      { MCP_HANDLE_IDLE_TTL_MS: '5', MCP_HANDLE_MAX_LIFETIME_MS: '3600000' },
    );
    expect(basketOptionsOf(config)).toEqual({
      idleTtlMs: 60_000,
      maxLifetimeMs: 3_600_000,
      maxPerOwner: 3,
      sweepIntervalMs: 500,
    });
  });

  it('refuse bad values naming the flag and its variable', () => {
    expect(() => parseDemoConfig(['--handle-ttl-ms', '0'], {})).toThrow(
      'Invalid --handle-ttl-ms / MCP_HANDLE_IDLE_TTL_MS: expected an integer from 1 to 31536000000, got "0".',
    );
    expect(() => parseDemoConfig([], { MCP_HANDLE_MAX_PER_OWNER: 'many' })).toThrow(
      /^Invalid --handle-max-per-owner \/ MCP_HANDLE_MAX_PER_OWNER: expected an integer from 1/,
    );
    expect(() => parseDemoConfig([], { MCP_HANDLE_MAX_LIFETIME_MS: '-1' })).toThrow(
      /^Invalid --handle-max-lifetime-ms \/ MCP_HANDLE_MAX_LIFETIME_MS/,
    );
  });
});
