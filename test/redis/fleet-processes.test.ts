// Demo servers as separate processes on one Redis, behind a round-robin proxy without sticky
// routing, driven by real SDK clients: what a fleet of replicas gives a client.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoHealth } from '../../examples/demo-server.js';
import { openEventStream } from '../support/event-stream.js';
import { callRequest, rawInitialize, rawPost } from '../support/harness.js';
import { redisClients } from '../support/redis.js';
import { callText, type Fleet, fleetClient, startFleet } from '../support/redis-fleet.js';
import { stopAllReplicas } from '../support/redis-replica-process.js';
import { EVENT_TIMEOUT_MS, waitFor } from '../support/wait.js';

/** Starting demo processes under tsx on a loaded machine takes a while. */
const FLEET_START_TIMEOUT_MS = 150_000;
/** A test that restarts a replica waits for it to start. */
const RESTART_TEST_TIMEOUT_MS = 90_000;
const IDLE_TTL = ['--idle-ttl-ms', '60000'];
/** How long the call cut by a replica's death would take on a live replica, in ms. */
const SLEEP_MS = 3000;

const { side } = await redisClients();
let fleet: Fleet;
/** Two replicas that hold at most two sessions and evict the oldest at the limit. */
let small: Fleet;
const clients: Client[] = [];

beforeAll(async () => {
  [fleet, small] = await Promise.all([
    startFleet({ args: IDLE_TTL }),
    startFleet({
      size: 2,
      label: 'fleet-evict',
      args: [...IDLE_TTL, '--max-sessions', '2', '--capacity-policy', 'evict-oldest'],
    }),
  ]);
}, FLEET_START_TIMEOUT_MS);

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await Promise.allSettled([fleet?.close(side), small?.close(side)]);
  await stopAllReplicas();
}, FLEET_START_TIMEOUT_MS);

async function connect(transport: 'streamable-http' | 'sse' = 'streamable-http', to = fleet) {
  const connected = await fleetClient(to.proxy.url, transport);
  clients.push(connected.client);
  return connected;
}

async function healthOfAll(of = fleet): Promise<DemoHealth[]> {
  return Promise.all(of.replicas.map((r) => r.health()));
}

/** Resolves once the client's GET stream (the first GET after log entry `from`) is pinned. */
async function getStreamOpen(from: number, pinnedBefore: readonly number[]): Promise<number> {
  let upstream = -1;
  await waitFor(async () => {
    const get = fleet.proxy.log.slice(from).find((r) => r.method === 'GET' && r.path === '/mcp');
    if (get === undefined) return false;
    upstream = get.upstream;
    const health = await fleet.replicas[upstream]!.health();
    return health.pinned > pinnedBefore[upstream]!;
  }, 'the GET stream to open');
  return upstream;
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

  it.each(['streamable-http', 'sse'] as const)(
    'answers every elicitation and sampling round trip over %s (6 of 6)',
    async (kind) => {
      const { client, log } = await connect(kind);
      const answers: string[] = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await callText(client, 'elicit', { message: `question ${i}` }));
        answers.push(await callText(client, 'sample', { prompt: `prompt ${i}` }));
      }
      expect(answers).toEqual([
        'echo: question 0',
        'PROMPT 0',
        'echo: question 1',
        'PROMPT 1',
        'echo: question 2',
        'PROMPT 2',
      ]);
      expect(log.elicited).toEqual(['question 0', 'question 1', 'question 2']);
      expect(log.sampled).toEqual(['prompt 0', 'prompt 1', 'prompt 2']);
    },
  );

  it('delivers every announce, whichever replica runs it, over Streamable HTTP and legacy SSE', async () => {
    const pinnedBefore = (await healthOfAll()).map((h) => h.pinned);
    const from = fleet.proxy.log.length;
    const streamable = await connect('streamable-http');
    await getStreamOpen(from, pinnedBefore);
    const legacy = await connect('sse');
    for (let i = 0; i < 3; i++) {
      expect(await callText(streamable.client, 'announce')).toBe('announced');
      expect(await callText(legacy.client, 'announce')).toBe('announced');
    }
    for (const { log } of [streamable, legacy]) {
      await waitFor(
        () => log.listChanged === 3 && log.logged.length === 3,
        'three announcements of each kind',
      );
      expect(log.logged).toEqual(['announce', 'announce', 'announce']);
    }
  });

  it('replays what a cut GET stream missed when it resumes on another replica (Last-Event-ID)', async () => {
    const mcp = `${fleet.proxy.url}/mcp`;
    const id = await rawInitialize(mcp);
    const initialized = { jsonrpc: '2.0', method: 'notifications/initialized' };
    expect((await rawPost(mcp, id, initialized)).status).toBe(202);
    const announce = async () => {
      const answer = await rawPost(mcp, id, callRequest('announce'));
      expect(answer.status).toBe(200);
    };
    fleet.proxy.aim(0, 'GET');
    const first = await openEventStream(mcp, { 'mcp-session-id': id });
    expect(first.status).toBe(200);
    await announce();
    await waitFor(() => first.events.length === 2, 'the first announcement');
    first.close();
    // Until its replica has let the stream go, a message could still be relayed there and miss
    // the shared log; announcements from here on are the ones the resumed stream must replay.
    await waitFor(
      async () => (await side.exists(`${fleet.prefix}stream:${id}`)) === 0,
      'the stream holder record to be released',
    );
    await announce();
    await announce();
    const lastSeen = first.events.at(-1)!.id!;
    expect(lastSeen).toBeTruthy();
    fleet.proxy.aim(1, 'GET');
    const resumed = await openEventStream(mcp, { 'mcp-session-id': id, 'last-event-id': lastSeen });
    expect(resumed.status).toBe(200);
    await waitFor(() => resumed.events.length >= 4, 'the missed announcements');
    const methods = resumed.events.map((e) => (e.data as { method: string }).method);
    expect(methods).toEqual([
      'notifications/tools/list_changed',
      'notifications/message',
      'notifications/tools/list_changed',
      'notifications/message',
    ]);
    resumed.close();
  });

  it('closes the session’s transports on every replica within a second of a DELETE', async () => {
    const { client, transport } = await connect();
    for (let i = 0; i < 3; i++) await callText(client, 'echo', { text: `${i}` });
    const before = await healthOfAll();
    for (const h of before) expect(h.transports.streamableHttp).toBeGreaterThanOrEqual(1);
    await (transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(
      async () =>
        (await healthOfAll()).every(
          (h, i) => h.transports.streamableHttp === before[i]!.transports.streamableHttp - 1,
        ),
      'every replica to close the session’s transport',
      1000,
    );
  });

  it('fails only the call in flight on a replica that is killed; the session goes on elsewhere', {
    timeout: RESTART_TEST_TIMEOUT_MS,
  }, async () => {
    const { client } = await connect();
    const victim = 2;
    fleet.proxy.aim(victim);
    const from = fleet.proxy.log.length;
    // A live replica answers within SLEEP_MS; a dead one never does (the SDK client may resume
    // the call's stream on another replica, where no answer will come): it fails, by the cut or
    // by the request timeout.
    const cut = client
      .callTool({ name: 'sleep', arguments: { ms: SLEEP_MS } }, undefined, {
        timeout: SLEEP_MS + EVENT_TIMEOUT_MS,
      })
      .then(
        () => 'answered',
        () => 'failed',
      );
    await waitFor(
      () => fleet.proxy.log.slice(from).some((r) => r.upstream === victim && r.method === 'POST'),
      'the sleep call to reach the victim',
    );
    // The balancer takes the victim out of its turn as it dies: calls made meanwhile go on.
    fleet.proxy.markDown(victim);
    const others = [0, 1, 2, 3, 4, 5].map((i) => callText(client, 'echo', { text: `${i}` }));
    await fleet.kill(victim);
    expect(await cut).toBe('failed');
    expect(await Promise.all(others)).toEqual(['0', '1', '2', '3', '4', '5']);
    for (let i = 0; i < 4; i++) expect(await callText(client, 'echo', { text: 'on' })).toBe('on');
  });

  it(
    'keeps counting across replicas and across a replica restart (1 2 3 4 5 6, not 1 1 1 2 2 2)',
    async () => {
      const { client } = await connect();
      const counts: string[] = [];
      for (let i = 0; i < 3; i++) counts.push(await callText(client, 'counter'));
      await fleet.restart(2);
      fleet.proxy.aim(2);
      const from = fleet.proxy.log.length;
      counts.push(await callText(client, 'counter'));
      expect(fleet.proxy.log[from]?.upstream).toBe(2);
      for (let i = 0; i < 2; i++) counts.push(await callText(client, 'counter'));
      expect(counts).toEqual(['1', '2', '3', '4', '5', '6']);
    },
    RESTART_TEST_TIMEOUT_MS,
  );

  it(
    'ends nothing early on a replica whose clock runs 120 s ahead (idle TTL 60 s)',
    async () => {
      const skewed = 1;
      await fleet.restart(skewed, {
        MCP_DEMO_CLOCK_OFFSET_MS: '120000',
        MCP_SESSION_SWEEP_MS: '100',
      });
      const a = await connect();
      const b = await connect();
      const { live } = await fleet.replicas[0]!.health();
      const from = fleet.proxy.log.length;
      const started = performance.now();
      // Traffic over every replica for at least 1.5 s: many sweeps of the skewed one.
      for (let round = 0; round < 200 && performance.now() - started < 1500; round++) {
        expect(await callText(a.client, 'echo', { text: `a${round}` })).toBe(`a${round}`);
        expect(await callText(b.client, 'echo', { text: `b${round}` })).toBe(`b${round}`);
      }
      expect(fleet.proxy.log.slice(from).some((r) => r.upstream === skewed)).toBe(true);
      const health = await healthOfAll();
      for (const h of health) {
        expect(h.ended.idle).toBe(0);
        expect(h.ended.lifetime).toBe(0);
      }
      expect(health[0]!.live).toBe(live);
    },
    RESTART_TEST_TIMEOUT_MS,
  );
});

describe('evict-oldest on two replicas holding at most two sessions', () => {
  it('never evicts a session pinned on another replica', async () => {
    const proxy = small.proxy;
    const mcp = `${proxy.url}/mcp`;
    const pinnedBefore = (await healthOfAll(small)).map((h) => h.pinned);
    proxy.aim(1, 'GET');
    const pinned = await connect('streamable-http', small);
    await waitFor(
      async () => (await small.replicas[1]!.health()).pinned > pinnedBefore[1]!,
      'the GET stream to pin its session on replica 1',
    );
    const idle = await rawInitialize(mcp);
    proxy.aim(0);
    const newest = await rawInitialize(mcp);
    expect(await callText(pinned.client, 'echo', { text: 'still here' })).toBe('still here');
    const evicted = await rawPost(mcp, idle, callRequest('echo', { text: 'x' }));
    expect(evicted.status).toBe(404);
    expect(evicted.json).toMatchObject({ error: { data: { code: 'SESSION_EXPIRED' } } });
    expect(evicted.headers.get('x-session-expired-reason')).toBe('evicted');
    const served = await rawPost(mcp, newest, callRequest('echo', { text: 'new' }));
    expect(served.status).toBe(200);
  });
});
