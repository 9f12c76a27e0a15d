import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StreamableHttpHandler } from '../../src/adapters/v2/index.js';
import { MemoryStore, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { isAnswer, type Outgoing, SAMPLED } from '../support/fleet.js';
import { serveDoor } from '../support/http.js';
import { LoopbackBus } from '../support/loopback-relay.js';
import { waitFor } from '../support/wait.js';

/** The tools of one replica's SDK v2 server, answering which replica ran them. */
function buildServer(name: string): McpServer {
  const server = new McpServer({ name: 'fleet-v2', version: '1.0.0' });
  server.registerTool('ask', {}, async (ctx) => {
    const answer = await ctx.mcpReq.send({
      method: 'elicitation/create',
      params: {
        mode: 'form',
        message: 'Your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      },
    });
    const content = (answer as { content?: { name?: unknown } }).content;
    return { content: [{ type: 'text', text: `${name}:${String(content?.name)}` }] };
  });
  server.registerTool('sample', {}, async () => {
    const answer = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
      maxTokens: 5,
    });
    const text = answer.content.type === 'text' ? answer.content.text : '';
    return { content: [{ type: 'text', text: `${name}:${text}` }] };
  });
  return server;
}

/** Two `mcp-sessions/v2` replicas over one store and a loopback relay; a routed SDK v1 client. */
async function startFleet(route: (outgoing: Outgoing) => number) {
  const bus = new LoopbackBus();
  const store = new MemoryStore();
  const clock = new ManualClock();
  const ports: number[] = [];
  for (const name of ['A', 'B']) {
    const sessions = new SessionManager({ store, clock, autoStart: false });
    const relay = bus.relay(name);
    const handler = new StreamableHttpHandler({
      sessions,
      relay,
      createServer: () => buildServer(name),
    });
    ports.push((await serveDoor(handler.node)).port);
    onTestFinished(async () => {
      await handler.close();
      await sessions.close();
      await relay.close();
    });
  }
  const transport = new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? 'GET';
      const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      url.port = String(ports[route({ method, body })]);
      return fetch(url, init);
    },
  });
  const client = new Client(
    { name: 'fleet-client', version: '1.0.0' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { name: 'Ada' },
  }));
  client.setRequestHandler(CreateMessageRequestSchema, async () => SAMPLED);
  onTestFinished(() => client.close());
  await client.connect(transport);
  return { bus, client, transport };
}

async function callText(client: Client, name: string): Promise<string | undefined> {
  const result = await client.callTool({ name, arguments: {} });
  return (result.content as Array<{ text?: string }>)[0]?.text;
}

/** `tools/call` to B; the client's answers and everything else (its GET stream) to A. */
function callsOnB({ method, body }: Outgoing): number {
  if (method !== 'POST' || isAnswer(body)) return 0;
  return (body as { method?: string }).method === 'tools/call' ? 1 : 0;
}

describe('mcp-sessions/v2 replicas on a relay (2025-era sessions on SDK v2 transports)', () => {
  it('an elicitation within a call, answered through another replica, reaches the server that asked', async () => {
    const { bus, client } = await startFleet(callsOnB);
    expect(await callText(client, 'ask')).toBe('B:Ada');
    const forwarded = bus.log.filter(({ envelope }) => envelope.type === 'to-server');
    expect(forwarded.map(({ to }) => to)).toEqual(['B']);
  });

  it('a sampling request outside any call goes through the GET stream holder and back', async () => {
    const { bus, client, transport } = await startFleet(callsOnB);
    const id = transport.sessionId!;
    await waitFor(() => bus.holder(id) === 'A', 'the GET stream held by replica A');
    expect(await callText(client, 'sample')).toBe('B:sampled');
    const kinds = bus.log.map(({ to, envelope }) => `${envelope.type}->${to}`);
    expect(kinds).toEqual(['to-stream->A', 'to-server->B']);
  });
});
