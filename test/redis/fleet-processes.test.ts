// Demo servers as separate processes on one Redis, behind a round-robin proxy without sticky
// routing, driven by real SDK clients: what a fleet of replicas gives a client.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callText, type Fleet, fleetClient, startFleet } from '../support/fleet.js';
import { redisClients } from '../support/redis.js';
import { stopAllReplicas } from '../support/replica-process.js';
import { waitFor } from '../support/wait.js';

/** Starting three demo processes under tsx on a loaded machine takes a while. */
const FLEET_START_TIMEOUT_MS = 60_000;

const { side } = await redisClients();
let fleet: Fleet;
const clients: Client[] = [];

beforeAll(async () => {
  fleet = await startFleet({ args: ['--idle-ttl-ms', '60000'] });
}, FLEET_START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
  await fleet?.close(side);
  await stopAllReplicas();
}, FLEET_START_TIMEOUT_MS);

async function connect(transport: 'streamable-http' | 'sse' = 'streamable-http') {
  const connected = await fleetClient(fleet.proxy.url, transport);
  clients.push(connected.client);
  return connected;
}

describe('three demo processes behind a round-robin proxy', () => {
  it('sends consecutive requests to different replicas, and every replica serves the session', async () => {
    const { client } = await connect();
    const from = fleet.proxy.log.length;
    for (let i = 0; i < 6; i++) {
      expect(await callText(client, 'echo', { text: `hi ${i}` })).toBe(`hi ${i}`);
    }
    const calls = fleet.proxy.log.slice(from).filter((r) => r.method === 'POST');
    expect(new Set(calls.map((r) => r.upstream))).toEqual(new Set([0, 1, 2]));
    const turns = fleet.proxy.log.slice(from);
    expect(turns.length).toBeGreaterThan(3);
    for (let i = 1; i < turns.length; i++) {
      expect(turns[i]!.upstream).not.toBe(turns[i - 1]!.upstream);
    }
    for (const replica of fleet.replicas) {
      expect((await replica.health()).transports.streamableHttp).toBeGreaterThanOrEqual(1);
    }
  });

  it('fails only the call in flight on a replica that is killed; the session goes on elsewhere, and on its restart', async () => {
    const { client } = await connect();
    const victim = 2;
    fleet.proxy.aim(victim);
    const from = fleet.proxy.log.length;
    const cut = client.callTool({ name: 'sleep', arguments: { ms: 60_000 } }).then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(
      () => fleet.proxy.log.slice(from).some((r) => r.upstream === victim && r.method === 'POST'),
      'the sleep call to reach the victim',
    );
    const others = [0, 1, 2, 3, 4, 5].map((i) => callText(client, 'echo', { text: `${i}` }));
    await fleet.kill(victim);
    expect(await cut).toBe('failed');
    expect(await Promise.all(others)).toEqual(['0', '1', '2', '3', '4', '5']);
    for (let i = 0; i < 4; i++) expect(await callText(client, 'echo', { text: 'on' })).toBe('on');

    await fleet.restart(victim);
    fleet.proxy.aim(victim);
    const after = fleet.proxy.log.length;
    expect(await callText(client, 'echo', { text: 'back' })).toBe('back');
    expect(fleet.proxy.log[after]?.upstream).toBe(victim);
  });
});
