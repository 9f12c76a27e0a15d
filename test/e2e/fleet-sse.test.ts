import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitRequestSchema, ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { MemoryStore, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { callText } from '../support/fleet.js';
import { serveDoor } from '../support/http.js';
import { LoopbackBus } from '../support/loopback-relay.js';
import { waitFor } from '../support/wait.js';

interface SseReplica {
  readonly name: string;
  readonly port: number;
  readonly sessions: SessionManager;
  readonly handler: SseHandler;
}

function buildServer(name: string): McpServer {
  const server = new McpServer({ name: 'fleet-sse', version: '1.0.0' });
  server.registerTool('where', { description: 'Names the replica.' }, async (extra) => ({
    content: [{ type: 'text', text: `${name}:${String(extra.authInfo?.extra?.via)}` }],
  }));
  server.registerTool('ask', { description: 'Elicits within the call.' }, async (extra) => {
    const answer = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: { message: 'Name?', requestedSchema: { type: 'object', properties: {} } },
      },
      ElicitResultSchema,
    );
    return { content: [{ type: 'text', text: `${name}:${String(answer.content?.name)}` }] };
  });
  return server;
}

/** Legacy SSE replicas over one store; those named in `relayed` join `bus`. */
async function startSseFleet(bus: LoopbackBus, relayed: readonly string[]): Promise<SseReplica[]> {
  const store = new MemoryStore();
  const clock = new ManualClock();
  const replicas: SseReplica[] = [];
  const clients: Client[] = [];
  for (const name of ['A', 'B']) {
    const sessions = new SessionManager({ store, clock, autoStart: false });
    const relay = relayed.includes(name) ? bus.relay(name) : undefined;
    const handler = new SseHandler({ sessions, relay, createServer: () => buildServer(name) });
    const { port } = await serveDoor((req, res) => {
      const extra = { sub: 'user', via: name };
      (req as { auth?: unknown }).auth = { token: 't', clientId: 'app', scopes: [], extra };
      return handler.node(req, res);
    });
    replicas.push({ name, port, sessions, handler });
    onTestFinished(async () => {
      await Promise.allSettled(clients.map((client) => client.close()));
      await handler.close();
      await sessions.close();
      await relay?.close();
    });
  }
  return replicas;
}

/** A client whose stream opens on A and whose `POST`s go to B. */
async function connectAcross(replicas: SseReplica[]): Promise<{
  client: Client;
  transport: SSEClientTransport;
}> {
  const [a, b] = replicas as [SseReplica, SseReplica];
  const transport = new SSEClientTransport(new URL(`http://127.0.0.1:${a.port}/sse`), {
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if ((init?.method ?? 'GET') === 'POST') url.port = String(b.port);
      return fetch(url, init);
    },
  });
  const client = new Client(
    { name: 'fleet-sse-client', version: '1.0.0' },
    { capabilities: { elicitation: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { name: 'Ada' },
  }));
  onTestFinished(() => client.close());
  await client.connect(transport);
  return { client, transport };
}

describe('legacy SSE replicas on a relay', () => {
  it('a POST landing on a replica without the stream is delivered to the holder, with its authInfo', async () => {
    const bus = new LoopbackBus();
    const replicas = await startSseFleet(bus, ['A', 'B']);
    const { client } = await connectAcross(replicas);
    expect(await callText(client, 'where')).toBe('A:B');
    expect(await callText(client, 'ask')).toBe('A:Ada');
    expect(replicas[1]?.handler.size).toBe(0);
    expect(bus.log.every(({ to, envelope }) => to === 'A' && envelope.type === 'to-server')).toBe(
      true,
    );
  });

  it('the end of a session on another replica closes its stream here', async () => {
    const bus = new LoopbackBus();
    const replicas = await startSseFleet(bus, ['A', 'B']);
    const [a, b] = replicas as [SseReplica, SseReplica];
    let id = '';
    a.sessions.on('created', (session) => {
      id = session.id;
    });
    await connectAcross(replicas);
    await waitFor(() => bus.holder(id) === 'A', 'the stream held by replica A');
    expect(await b.sessions.end(id, 'closed')).toBe(true);
    await waitFor(() => a.handler.size === 0, 'the stream on A to close', 1000);
    expect(bus.log.at(-1)).toEqual({ to: 'A', envelope: { type: 'ended', sessionId: id } });
  });

  it('a POST that is not JSON-RPC answers 400 where it lands, and is not forwarded', async () => {
    const bus = new LoopbackBus();
    const replicas = await startSseFleet(bus, ['A', 'B']);
    const [a, b] = replicas as [SseReplica, SseReplica];
    let id = '';
    a.sessions.on('created', (session) => {
      id = session.id;
    });
    await connectAcross(replicas);
    const sent = bus.log.length;
    const answer = await fetch(`http://127.0.0.1:${b.port}/messages?sessionId=${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(answer.status).toBe(400);
    await answer.text();
    expect(bus.log.length).toBe(sent);
  });

  it('a POST for a stream whose holder is gone still answers 409', async () => {
    const bus = new LoopbackBus();
    const replicas = await startSseFleet(bus, ['A', 'B']);
    const [a, b] = replicas as [SseReplica, SseReplica];
    let id = '';
    a.sessions.on('created', (session) => {
      id = session.id;
    });
    await connectAcross(replicas);
    bus.hold(id, 'gone');
    const answer = await fetch(`http://127.0.0.1:${b.port}/messages?sessionId=${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    expect(answer.status).toBe(409);
    await answer.text();
  });

  it('without a holder on the relay, a POST here still answers 409', async () => {
    const bus = new LoopbackBus();
    const replicas = await startSseFleet(bus, ['B']);
    await expect(connectAcross(replicas)).rejects.toThrow(/409/);
    expect(bus.log).toEqual([]);
  });
});
