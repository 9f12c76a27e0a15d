import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { InMemoryServerEventBus } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait.js';
import { type Mount, startV2 } from './harness.js';

const MOUNTS: readonly Mount[] = ['node', 'express', 'fetch'];

describe.each(MOUNTS)('mcp-sessions/v2 subscriptions/listen (%s)', (mount) => {
  it('delivers notify to a listening modern client, and lets the listener go when it leaves', async () => {
    const v2 = await startV2({ mount });
    const bus = v2.handler.bus as InMemoryServerEventBus;
    const client = new Client(
      { name: 'listener', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const changes: string[] = [];
    client.setNotificationHandler('notifications/tools/list_changed', (note) => {
      changes.push(note.method);
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(v2.url)));
    await client.listen({ toolsListChanged: true });
    expect(bus.listenerCount).toBe(1);
    v2.handler.notify!.toolsChanged();
    await waitFor(() => changes.length === 1, 'the tools change');
    await client.close();
    await waitFor(() => bus.listenerCount === 0, 'the listener let go');
    expect((await v2.sessions.stats()).created).toBe(0);
  });
});
