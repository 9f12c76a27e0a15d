import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../src/index.js';
import { RedisServerEventBus, RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { callRequest, rawInitialize, rawPost } from '../support/harness.js';
import { redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { connectV2, seenOf, startV2, textOf } from '../v2/harness.js';
import { connections, spyLogger } from './relay-support.js';

const { node, io, scratchPrefix } = await redisClients();

describe('mcp-sessions/v2 over RedisStore: two replicas of one endpoint', () => {
  it('a legacy session made on replica A is restored on replica B from its stored initialize', async () => {
    const prefix = scratchPrefix('v2-restore');
    const clock = new ManualClock(systemClock.now());
    const a = await startV2({ clock, store: new RedisStore({ client: node, prefix }) });
    const b = await startV2({ clock, store: new RedisStore({ client: io, prefix }) });

    const id = await rawInitialize(a.url);
    const onA = await rawPost(a.url, id, callRequest('echo', { text: 'a' }));
    expect(textOf((onA.json as { result: unknown }).result)).toBe('a');

    const onB = await rawPost(b.url, id, callRequest('whoami'));
    expect(onB.status).toBe(200);
    expect(seenOf((onB.json as { result: unknown }).result)).toMatchObject({
      era: 'legacy',
      session: id,
    });
    expect(b.built).toEqual([{ era: 'legacy', session: expect.objectContaining({ id }) }]);
    expect(b.handler.size).toBe(1);
    expect((await b.sessions.stats()).created).toBe(0);

    expect(await b.sessions.end(id, 'deleted')).toBe(true);
    const ended = await rawPost(a.url, id, callRequest('echo', { text: 'late' }));
    expect(ended.status).toBe(404);
  });

  it('a modern client listening on replica A gets toolsChanged published on replica B (bus option)', async () => {
    const prefix = scratchPrefix('v2-bus');
    const clock = new ManualClock(systemClock.now());
    const replica = async (client: typeof node | typeof io) => {
      const bus = new RedisServerEventBus({
        ...(await connections('node-redis')),
        prefix,
        logger: spyLogger(),
      });
      await bus.ready();
      onTestFinished(() => bus.close());
      return startV2({ clock, store: new RedisStore({ client, prefix }), handlerOptions: { bus } });
    };
    const a = await replica(node);
    const b = await replica(io);
    expect(a.handler.bus).toBeInstanceOf(RedisServerEventBus);

    const client = new Client(
      { name: 'listener', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const changes: string[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', (note) => {
      changes.push(note.method);
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(a.url)));
    onTestFinished(() => client.close());
    const subscription = await client.listen({ toolsListChanged: true });

    b.handler.notify!.toolsChanged();
    await waitFor(() => changes.length === 1, 'the change published on replica B');
    expect(changes).toEqual(['notifications/tools/list_changed']);
    await subscription.close();

    const legacy = await connectV2(b.url, 'legacy');
    expect(textOf(await legacy.client.callTool({ name: 'echo', arguments: { text: 'l' } }))).toBe(
      'l',
    );
    expect((await a.sessions.stats()).created + (await b.sessions.stats()).created).toBe(1);
  });
});
