import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  LATEST_PROTOCOL_VERSION,
  LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../src/index.js';
import type { StorePolicy } from '../../src/stores/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { Latch } from '../support/latch.js';
import { redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const { node, io, scratchPrefix } = await redisClients();

const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 600_000,
  maxTombstones: 100,
  maxSessions: Infinity,
});

/** One replica's SDK transport and server for session `sessionId`, on `store`'s event log. */
async function replica(store: RedisStore, sessionId: string) {
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => sessionId,
    enableJsonResponse: true,
    eventStore: store.eventLog(sessionId, POLICY),
  });
  const server = new Server(
    { name: 'replica', version: '1.0.0' },
    { capabilities: { logging: {} } },
  );
  await server.connect(transport);
  onTestFinished(() => server.close());
  const log = (n: number) => server.sendLoggingMessage({ level: 'info', data: n });
  return { transport, log };
}

type Replica = Awaited<ReturnType<typeof replica>>;

/**
 * A load balancer on 127.0.0.1 that sends every request to `route.to`; while `route.held` is
 * set, a request waits there until it is opened.
 */
async function balancer(route: { to: Replica; held?: Latch; lastEventIds: string[] }) {
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const lastEventId = req.headers['last-event-id'];
    if (typeof lastEventId === 'string') route.lastEventIds.push(lastEventId);
    const forward = () => route.to.transport.handleRequest(req, res);
    if (route.held === undefined) void forward();
    else void route.held.pass().then(forward);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
  return new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
}

describe('event log end to end (SDK transports, two replicas, 127.0.0.1)', () => {
  it('a GET stream resumed on another replica receives the events it missed', async () => {
    const prefix = scratchPrefix('events-e2e');
    const sessionId = 'resumable-session-0001';
    const storeA = new RedisStore({ client: node, prefix });
    const storeB = new RedisStore({ client: io, prefix });
    await storeA.create({ id: sessionId, createdAt: systemClock.now() }, POLICY);
    const a = await replica(storeA, sessionId);
    const b = await replica(storeB, sessionId);
    const route: { to: Replica; held?: Latch; lastEventIds: string[] } = {
      to: b,
      lastEventIds: [],
    };
    const url = await balancer(route);

    // Replica B builds the session's transport the way a restore does: by replaying initialize.
    const replayed = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: 'resuming-client', version: '1.0.0' },
        },
      }),
    });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('mcp-session-id')).toBe(sessionId);
    await replayed.text();
    route.to = a;

    const client = new Client({ name: 'resuming-client', version: '1.0.0' });
    const received: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      received.push(notification.params.data);
    });
    const transport = new StreamableHTTPClientTransport(url, {
      reconnectionOptions: {
        initialReconnectionDelay: 10,
        maxReconnectionDelay: 50,
        reconnectionDelayGrowFactor: 1,
        maxRetries: 20,
      },
    });
    onTestFinished(() => client.close());
    await client.connect(transport);
    expect(transport.sessionId).toBe(sessionId);

    // The GET stream is open on A once a notification sent there arrives.
    await waitFor(async () => {
      if (received.length === 0) await a.log(0);
      return received.length > 0;
    }, 'the GET stream to open on replica A');
    const before = received.length;

    // A's stream drops; its reconnection reaches the balancer, now pointing at B, and waits.
    route.held = new Latch();
    route.to = b;
    a.transport.closeStandaloneSSEStream();
    await route.held.arrivals(1);
    // Meanwhile A sends what the client misses: stored in Redis, delivered nowhere.
    await a.log(1);
    await a.log(2);
    await a.log(3);
    route.held.open();

    await waitFor(() => received.length >= before + 3, 'the missed events, replayed by B');
    expect(received.slice(before)).toEqual([1, 2, 3]);
    expect(route.lastEventIds).toHaveLength(1);

    // An ID the log does not know answers 400, not 500.
    const unknown = await fetch(url, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
        'last-event-id': `${route.lastEventIds[0]}-not-stored`,
      },
    });
    expect(unknown.status).toBe(400);
    await unknown.text();
  });
});
