import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, type McpHttpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { RedisServerEventBus } from '../../src/stores/redis/index.js';
import { redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { connections, spyLogger } from './relay-support.js';

const { scratchPrefix } = await redisClients();

/** One replica: its own Redis connections and bus, a v2 handler, a port on 127.0.0.1. */
async function replica(prefix: string): Promise<{ url: URL; handler: McpHttpHandler }> {
  const { client, subscriber } = await connections('node-redis');
  const bus = new RedisServerEventBus({ client, subscriber, prefix, logger: spyLogger() });
  const handler = createMcpHandler(
    () => {
      const server = new McpServer({ name: 'replica', version: '1.0.0' });
      server.registerTool(
        'echo',
        { inputSchema: z.object({ text: z.string() }) },
        async ({ text }) => ({ content: [{ type: 'text', text }] }),
      );
      return server;
    },
    { legacy: 'reject', bus },
  );
  await bus.ready();
  const node = toNodeHandler(handler);
  const http = createServer((req, res) => {
    void node(req as Parameters<typeof node>[0], res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    await handler.close();
    await bus.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  const { port } = http.address() as AddressInfo;
  return { url: new URL(`http://127.0.0.1:${port}/mcp`), handler };
}

describe('RedisServerEventBus across two createMcpHandler replicas', () => {
  it('a modern client listening on replica A gets toolsChanged published on replica B', async () => {
    const prefix = scratchPrefix('bus-e2e');
    const a = await replica(prefix);
    const b = await replica(prefix);

    const client = new Client(
      { name: 'listener', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const changes: string[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', (note) => {
      changes.push(note.method);
    });
    await client.connect(new StreamableHTTPClientTransport(a.url));
    onTestFinished(() => client.close());
    expect(client.getProtocolEra()).toBe('modern');

    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });

    b.handler.notify.toolsChanged();
    await waitFor(() => changes.length === 1, 'the change published on replica B');
    b.handler.notify.promptsChanged();
    b.handler.notify.toolsChanged();
    await waitFor(() => changes.length === 2, 'the second tools change');
    expect(changes).toEqual([
      'notifications/tools/list_changed',
      'notifications/tools/list_changed',
    ]);
    await subscription.close();
  });
});
