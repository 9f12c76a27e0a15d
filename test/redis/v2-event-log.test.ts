import type { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { openEventStream } from '../support/event-stream.js';
import { callRequest, rawInitialize, rawPost } from '../support/harness.js';
import { redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { startV2 } from '../v2/harness.js';

const { node, io, scratchPrefix } = await redisClients();

describe('mcp-sessions/v2 over RedisStore: the shared event log of 2025-era GET streams', () => {
  it('a GET stream resumed on another replica with Last-Event-ID gets the events it missed', async () => {
    const prefix = scratchPrefix('v2-events');
    const clock = new ManualClock(systemClock.now());
    const extend = (server: McpServer) => {
      server.registerTool('changed', {}, async () => {
        await server.server.sendToolListChanged();
        return { content: [{ type: 'text', text: 'sent' }] };
      });
    };
    const a = await startV2({ clock, store: new RedisStore({ client: node, prefix }), extend });
    const b = await startV2({ clock, store: new RedisStore({ client: io, prefix }), extend });

    const id = await rawInitialize(a.url);
    const stream = await openEventStream(a.url, { 'mcp-session-id': id });
    expect(stream.status).toBe(200);
    const isChange = (event: { data: unknown }) =>
      (event.data as { method?: string }).method === 'notifications/tools/list_changed';
    expect((await rawPost(a.url, id, callRequest('changed'))).status).toBe(200);
    await waitFor(() => stream.events.filter(isChange).length === 1, 'the first change on A');
    const seen = stream.events.filter(isChange)[0]!;
    expect(seen.id).toMatch(/^g\./);
    stream.close();
    await waitFor(async () => (await a.sessions.stats()).pinned === 0, 'the GET stream released');

    expect((await rawPost(a.url, id, callRequest('changed'))).status).toBe(200);
    const resumed = await openEventStream(b.url, {
      'mcp-session-id': id,
      'last-event-id': seen.id!,
    });
    expect(resumed.status).toBe(200);
    await waitFor(() => resumed.events.filter(isChange).length === 1, 'the missed change on B');
    expect(resumed.events.filter(isChange)[0]!.id).not.toBe(seen.id);
    expect(b.handler.size).toBe(1);
    resumed.close();
  });
});
