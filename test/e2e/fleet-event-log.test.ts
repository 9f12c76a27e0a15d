import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import { asShared, callText, type Outgoing, startStreamableFleet } from '../support/fleet.js';
import { LoopbackBus } from '../support/loopback-relay.js';
import { MemoryEventLogs } from '../support/memory-event-logs.js';
import { waitFor, within } from '../support/wait.js';

const A = 0;
const B = 1;

/** `GET` streams to A, every `POST` to B. */
function getOnA({ method }: Outgoing): number {
  return method === 'POST' ? B : A;
}

/** A raw `GET` resuming session `id` after `lastEventId` on `port`. */
function resume(port: number, id: string, lastEventId: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/mcp`, {
    headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'last-event-id': lastEventId },
  });
}

/** Reads `response`'s event stream until `text` appears, then cancels it. */
async function readUntil(response: Response, text: string): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let read = '';
  try {
    while (!read.includes(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      read += decoder.decode(chunk.value);
    }
  } finally {
    await reader.cancel();
  }
  return read;
}

describe('the shared event log, by default on a store that offers one', () => {
  it('keeps GET stream events for any replica to replay, POST streams cost no store command', async () => {
    const logs = new MemoryEventLogs();
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({
      names: ['A', 'B'],
      bus,
      store: asShared(new MemoryStore(), { eventLog: (id: string) => logs.eventLog(id) }),
    });
    const { client, transport } = await fleet.connect(getOnA);
    const id = transport.sessionId ?? '';
    await waitFor(() => bus.holder(id) === 'A', 'the GET stream held by replica A');
    const before = logs.stored;
    expect(await callText(client, 'where')).toBe('B');
    expect(logs.stored).toBe(before);
    expect(await callText(client, 'notify')).toBe('B');
    expect(await callText(client, 'notify')).toBe('B');
    await waitFor(() => fleet.notes.length === 2, 'the notifications on the GET stream');
    expect(logs.stored).toBe(before + 2);
    const first = logs.events(id).at(-2);
    expect(first?.streamId).toBe('_GET_stream');
    const port = fleet.replicas[B]?.port ?? 0;
    const replayed = await resume(port, id, `g.${first?.id}`);
    expect(replayed.status).toBe(200);
    expect(await within(readUntil(replayed, 'notifications/fleet'), 'the replay')).toContain(
      '"from":"B"',
    );
  });

  it('a message for a stream whose holder is gone is sent here, into the shared log', async () => {
    const logs = new MemoryEventLogs();
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({
      names: ['A', 'B'],
      bus,
      store: asShared(new MemoryStore(), { eventLog: (id: string) => logs.eventLog(id) }),
    });
    const { client, transport } = await fleet.connect(getOnA);
    const id = transport.sessionId ?? '';
    await waitFor(() => bus.holder(id) === 'A', 'the GET stream held by replica A');
    bus.hold(id, 'gone');
    const b = fleet.replicas[B];
    b?.relay?.resetCalls();
    const before = logs.stored;
    expect(await callText(client, 'notify')).toBe('B');
    expect(b?.relay?.calls).toMatchObject({ streamHolder: 1, send: 1 });
    expect(logs.stored).toBe(before + 1);
    expect(logs.events(id).at(-1)?.message).toMatchObject({ params: { from: 'B' } });
  });

  it('answers 400, not 500, to an event ID this replica cannot vouch for', async () => {
    const logs = new MemoryEventLogs();
    const fleet = await startStreamableFleet({
      names: ['A'],
      store: asShared(new MemoryStore(), { eventLog: (id: string) => logs.eventLog(id) }),
    });
    const { transport } = await fleet.connect(() => A);
    const id = transport.sessionId ?? '';
    const port = fleet.replicas[A]?.port ?? 0;
    for (const bad of ['g.unknown', 'l.abcdefgh.0', 'nonsense']) {
      const answer = await resume(port, id, bad);
      expect(answer.status).toBe(400);
      await answer.body?.cancel();
    }
  });
});
