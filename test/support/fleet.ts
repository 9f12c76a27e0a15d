import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import {
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { onTestFinished } from 'vitest';
import {
  StreamableHttpHandler,
  type StreamableHttpHandlerOptions,
} from '../../src/adapters/streamable-http/index.js';
import { MemoryStore, SessionManager, type SessionStore } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { serveDoor } from './http.js';
import type { LoopbackBus, LoopbackRelay } from './loopback-relay.js';

/**
 * `store` seen as shared by replicas (`shared: true`), as a networked store is: every method
 * runs on `store` itself.
 */
export function asShared<S extends SessionStore>(store: S, extra: object = {}): S {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'shared') return true;
      if (key in extra) return (extra as Record<PropertyKey, unknown>)[key];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has(target, key) {
      return key in extra || Reflect.has(target, key);
    },
  });
}

/** One replica: its manager, its handler, its relay and its port on 127.0.0.1. */
export interface Replica {
  readonly name: string;
  readonly port: number;
  readonly sessions: SessionManager;
  readonly handler: StreamableHttpHandler;
  readonly relay: LoopbackRelay | undefined;
  /** Servers its factory built. */
  servers: number;
}

/** What a request of the client is, for a route to choose its replica. */
export interface Outgoing {
  readonly method: string;
  /** The JSON body of a `POST`. */
  readonly body: unknown;
}

/** A fleet of Streamable HTTP replicas over one store and one clock. */
export interface StreamableFleetRig {
  readonly replicas: readonly Replica[];
  readonly clock: ManualClock;
  readonly store: SessionStore;
  /** Notifications the clients received outside any request, in order. */
  readonly notes: Notification[];
  /**
   * A connected SDK client whose requests go to the replica `route` picks (round robin by
   * default). It answers elicitation with `{ name: 'Ada' }` and sampling with `sampled`.
   */
  connect(route?: (outgoing: Outgoing) => number): Promise<{
    client: Client;
    transport: StreamableHTTPClientTransport;
  }>;
}

/** Options of {@link startStreamableFleet}. */
export interface StreamableFleetOptions {
  /** One name per replica. */
  readonly names: readonly string[];
  /** The bus the replicas' relays join; without one the replicas have no relay. */
  readonly bus?: LoopbackBus;
  /** The store every replica's manager uses. @default a new MemoryStore */
  readonly store?: SessionStore;
  readonly handlerOptions?: Omit<
    StreamableHttpHandlerOptions,
    'sessions' | 'createServer' | 'relay'
  >;
}

/** The tools of each replica's server, answering which replica ran them. */
function buildServer(replica: { name: string }): McpServer {
  const server = new McpServer({ name: 'fleet', version: '1.0.0' });
  server.registerTool('where', { description: 'Names the replica.' }, async () => ({
    content: [{ type: 'text', text: replica.name }],
  }));
  server.registerTool('ask', { description: 'Elicits within the call.' }, async (extra) => {
    const answer = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: {
          message: 'Your name?',
          requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
      ElicitResultSchema,
    );
    return { content: [{ type: 'text', text: `${replica.name}:${String(answer.content?.name)}` }] };
  });
  server.registerTool('sample', { description: 'Samples outside the call.' }, async () => {
    const answer = await server.server.createMessage({
      messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
      maxTokens: 5,
    });
    const text = answer.content.type === 'text' ? answer.content.text : '';
    return { content: [{ type: 'text', text: `${replica.name}:${text}` }] };
  });
  server.registerTool('notify', { description: 'Notifies outside the call.' }, async () => {
    await server.server.notification({
      method: 'notifications/fleet',
      params: { from: replica.name },
    });
    return { content: [{ type: 'text', text: replica.name }] };
  });
  return server;
}

/** What every fleet client answers a sampling request with (a valid `CreateMessageResult`). */
export const SAMPLED = CreateMessageResultSchema.parse({
  role: 'assistant',
  content: { type: 'text', text: 'sampled' },
  model: 'test',
});

/**
 * Starts one Streamable HTTP handler per name, each with its own manager (no sweeper, one
 * shared manual clock) over one store, its own relay on `bus` and its own port on 127.0.0.1.
 * Everything is closed when the test finishes.
 */
export async function startStreamableFleet(
  options: StreamableFleetOptions,
): Promise<StreamableFleetRig> {
  const clock = new ManualClock();
  const store = options.store ?? new MemoryStore();
  const replicas: Replica[] = [];
  const clients: Client[] = [];
  const notes: Notification[] = [];
  for (const name of options.names) {
    const sessions = new SessionManager({ store, clock, autoStart: false });
    const relay = options.bus?.relay(name);
    const replica: { -readonly [K in keyof Replica]: Replica[K] } = {
      name,
      port: 0,
      sessions,
      relay,
      servers: 0,
      handler: new StreamableHttpHandler({
        ...options.handlerOptions,
        sessions,
        relay,
        createServer: () => {
          replica.servers++;
          return buildServer(replica);
        },
      }),
    };
    replica.port = (await serveDoor(replica.handler.node)).port;
    replicas.push(replica);
  }
  onTestFinished(async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
    for (const replica of replicas) await replica.handler.close();
    for (const replica of replicas) await replica.sessions.close();
    for (const replica of replicas) await replica.relay?.close();
  });
  return {
    replicas,
    clock,
    store,
    notes,
    async connect(route) {
      let next = 0;
      const pick = route ?? (() => next++ % replicas.length);
      const transport = new StreamableHTTPClientTransport(new URL('http://127.0.0.1/mcp'), {
        fetch: async (input, init) => {
          const url = new URL(input instanceof Request ? input.url : String(input));
          const method = init?.method ?? 'GET';
          const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
          url.port = String(replicas[pick({ method, body })]!.port);
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
      client.fallbackNotificationHandler = async (notification) => {
        notes.push(notification);
      };
      clients.push(client);
      await client.connect(transport);
      return { client, transport };
    },
  };
}

/** The text of a tool's answer. */
export async function callText(client: Client, name: string): Promise<string> {
  const result = await client.callTool({ name, arguments: {} });
  const content = result.content as Array<{ type: string; text?: string }>;
  return content[0]?.text ?? '';
}

/** True when `body` is made only of JSON-RPC answers of the client. */
export function isAnswer(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.every(
    (m) => typeof m === 'object' && m !== null && !('method' in m) && 'id' in m,
  );
}
