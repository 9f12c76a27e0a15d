/**
 * The server process of the handles suite: an SDK v2 `createMcpHandler` endpoint (each 2025-era
 * request served statelessly, no session) with three tools answering the same text: `view_plain`
 * without a handle, `view_basket` through `withHandle` on the memory store, `view_basket_redis`
 * on a `RedisStore`. Sends `{ type: 'ready', port, memory, redis }` (the two baskets' handles)
 * over IPC, and exits on `{ type: 'stop' }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { createClient } from 'redis';
import { z } from 'zod';
import { HandleKind, handleArgument, toolText, withHandle } from '../src/handles/index.js';
import { RedisStore } from '../src/stores/redis/index.js';

const { redisUrl, prefix } = JSON.parse(process.argv[2] ?? '{}') as {
  redisUrl: string;
  prefix: string;
};
const ITEMS = ['apple', 'pear', 'plum'];
const client = await createClient({ url: redisUrl }).connect();
const memory = new HandleKind<string[]>({ name: 'basket', prefix: 'bsk' });
const redis = new HandleKind<string[]>({
  name: 'basket',
  prefix: 'bsk',
  store: new RedisStore({ client, prefix: `${prefix}baskets:` }),
});
const [inMemory, inRedis] = await Promise.all([
  memory.create(undefined, ITEMS),
  redis.create(undefined, ITEMS),
]);
const view = (items: readonly string[]) => toolText(items.join('\n'));

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'bench-handles', version: '1.0.0' });
  server.registerTool('view_plain', { inputSchema: z.object({ basket_id: z.string() }) }, () =>
    view(ITEMS),
  );
  for (const [name, kind] of [
    ['view_basket', memory],
    ['view_basket_redis', redis],
  ] as const) {
    server.registerTool(
      name,
      { inputSchema: z.object({ basket_id: handleArgument(kind) }) },
      withHandle(kind, (_args, call) => view(call.handle.data)),
    );
  }
  return server;
});
const node = toNodeHandler(handler);
const http = createServer((req, res) => void node(req as Parameters<typeof node>[0], res));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
process.send?.({
  type: 'ready',
  port: (http.address() as AddressInfo).port,
  memory: inMemory.id,
  redis: inRedis.id,
});
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'stop') return;
  http.closeAllConnections();
  http.close();
  void Promise.all([handler.close(), memory.close(), redis.close()])
    .then(() => client.quit())
    .finally(() => process.exit(0));
});
