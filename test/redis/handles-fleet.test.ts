// The demo's basket tools on three demo processes sharing one Redis, behind a round-robin proxy,
// driven by the SDK v1 Client with bearer tokens: baskets belong to their user on every replica.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HandleKind } from '../../src/handles/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { redisClients } from '../support/redis.js';
import { CALL_TIMEOUT_MS, type Fleet, startFleet } from '../support/redis-fleet.js';
import { stopAllReplicas } from '../support/redis-replica-process.js';

/** Starting demo processes under tsx on a loaded machine takes a while. */
const FLEET_START_TIMEOUT_MS = 150_000;
const MINUTE = 60_000;
const HANDLE = /bsk_[A-Za-z0-9_-]{22}/;

const { io, side } = await redisClients();
let fleet: Fleet;
const clients: Client[] = [];

beforeAll(async () => {
  fleet = await startFleet({
    label: 'fleet-baskets',
    args: ['--handle-max-per-owner', '3'],
    envOf: () => ({ MCP_DEMO_TOKENS: 'tok-a=alice, tok-b=bob, tok-c=carol' }),
  });
}, FLEET_START_TIMEOUT_MS);

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await fleet?.close(side);
  await stopAllReplicas();
}, FLEET_START_TIMEOUT_MS);

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'fleet-baskets', version: '1' });
  clients.push(client);
  const transport = new StreamableHTTPClientTransport(new URL(`${fleet.proxy.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    timeout: CALL_TIMEOUT_MS,
  })) as { content: { text: string }[]; isError?: boolean };
  return { text: result.content[0]?.text ?? '', isError: result.isError === true };
}

async function create(client: Client): Promise<string> {
  const created = await call(client, 'create_basket');
  expect(created.isError).toBe(false);
  return created.text.match(HANDLE)![0];
}

const notFound = (id: string) =>
  `Basket ${id} was not found: it does not exist or is not yours. Create a new basket with create_basket.`;

describe('baskets on three demo replicas sharing one Redis', () => {
  it('adds items on every replica and views them in order, from a second connection too', async () => {
    const alice = await connect('tok-a');
    const id = await create(alice);
    const from = fleet.proxy.log.length;
    for (const item of ['apple', 'pear', 'plum', 'fig']) {
      expect((await call(alice, 'add_item', { basket_id: id, item })).isError).toBe(false);
    }
    const upstreams = fleet.proxy.log.slice(from).filter((r) => r.method === 'POST');
    expect(new Set(upstreams.map((r) => r.upstream))).toEqual(new Set([0, 1, 2]));
    const again = await connect('tok-a');
    expect((await call(again, 'view_basket', { basket_id: id })).text).toBe(
      '1. apple\n2. pear\n3. plum\n4. fig',
    );
    expect((await call(again, 'list_baskets')).text).toContain(id);
  });

  it('answers another user exactly as an unknown handle, on every replica', async () => {
    const alice = await connect('tok-a');
    const id = await create(alice);
    const bob = await connect('tok-b');
    const never = `bsk_${Buffer.alloc(16, 9).toString('base64url')}`;
    for (let i = 0; i < 3; i++) {
      expect(await call(bob, 'view_basket', { basket_id: id })).toEqual({
        isError: true,
        text: notFound(id),
      });
      expect(await call(bob, 'add_item', { basket_id: never, item: 'x' })).toEqual({
        isError: true,
        text: notFound(never),
      });
    }
    expect((await call(bob, 'destroy_basket', { basket_id: id })).text).toBe(notFound(id));
    expect((await call(bob, 'list_baskets')).text).toBe('You hold no baskets.');
    expect((await call(alice, 'view_basket', { basket_id: id })).text).toBe(
      `Basket ${id} is empty.`,
    );
  });

  it('holds a user to the quota fleet-wide, and a destroyed basket answers expired (deleted)', async () => {
    const carol = await connect('tok-c');
    const ids = [await create(carol), await create(carol), await create(carol)];
    const refused = await call(carol, 'create_basket');
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/^You already hold 3 live baskets, the most allowed\./);
    expect((await call(carol, 'destroy_basket', { basket_id: ids[0] })).text).toBe(
      `Basket ${ids[0]} destroyed.`,
    );
    for (let i = 0; i < 3; i++) {
      const gone = await call(carol, 'view_basket', { basket_id: ids[0] });
      expect(gone.isError).toBe(true);
      expect(gone.text).toMatch(
        new RegExp(`^Basket ${ids[0]} has expired: it was destroyed \\(at `),
      );
    }
    await create(carol);
  });

  it('expires an unused basket (time driven by a sweep 31 minutes ahead) and says so on every replica', async () => {
    const alice = await connect('tok-a');
    const id = await create(alice);
    const ahead = new ManualClock(Date.now() + 31 * MINUTE);
    const sweeper = new HandleKind({
      name: 'basket',
      prefix: 'bsk',
      store: new RedisStore({ client: io, prefix: `${fleet.prefix}baskets:` }),
      clock: ahead,
      autoStart: false,
    });
    try {
      expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    } finally {
      await sweeper.close();
    }
    const text = `Basket ${id} has expired: it was not used for 30 minutes (at ${new Date(ahead.now()).toISOString()}). Its contents are gone. Create a new basket with create_basket.`;
    for (let i = 0; i < 3; i++) {
      expect(await call(alice, 'view_basket', { basket_id: id })).toEqual({ isError: true, text });
    }
    const bob = await connect('tok-b');
    expect((await call(bob, 'view_basket', { basket_id: id })).text).toBe(notFound(id));
  });
});
