import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  eventStoreFor,
  FleetEventStore,
  isEventLogSource,
  LOCAL_EVENT_LIMIT,
  STANDALONE_STREAM_ID,
} from '../../src/adapters/streamable-http/fleet-event-store.js';
import { MemoryStore, SessionManager } from '../../src/index.js';
import { MemoryEventLogs } from '../support/memory-event-logs.js';

const POLICY = new SessionManager({ autoStart: false }).policy;

function note(n: number): JSONRPCMessage {
  return { jsonrpc: '2.0', method: 'notifications/n', params: { n } };
}

async function replay(store: FleetEventStore, after: string) {
  const sent: Array<[string, unknown]> = [];
  const stream = await store.replayEventsAfter(after, {
    send: async (id, message) => {
      sent.push([id, message]);
    },
  });
  return { stream, sent };
}

describe('FleetEventStore', () => {
  it('keeps standalone GET stream events in the shared log and POST stream events here', async () => {
    const logs = new MemoryEventLogs();
    const store = new FleetEventStore(logs.eventLog('s1'));
    const first = await store.storeEvent(STANDALONE_STREAM_ID, note(1));
    const priming = await store.storeEvent('post-1', {} as JSONRPCMessage);
    const answer = await store.storeEvent('post-1', note(2));
    const second = await store.storeEvent(STANDALONE_STREAM_ID, note(3));
    expect(logs.stored).toBe(2);
    expect(logs.events('s1').map((e) => e.streamId)).toEqual([
      STANDALONE_STREAM_ID,
      STANDALONE_STREAM_ID,
    ]);
    expect(await store.getStreamIdForEventId(first)).toBe(STANDALONE_STREAM_ID);
    expect(await store.getStreamIdForEventId(priming)).toBe('post-1');
    expect(await replay(store, first)).toEqual({
      stream: STANDALONE_STREAM_ID,
      sent: [[second, note(3)]],
    });
    expect(await replay(store, priming)).toEqual({ stream: 'post-1', sent: [[answer, note(2)]] });
    expect(FleetEventStore.resumesStandalone(first)).toBe(true);
    expect(FleetEventStore.resumesStandalone(priming)).toBe(false);
  });

  it('any replica replays the shared events; local events of another transport are unknown', async () => {
    const logs = new MemoryEventLogs();
    const here = new FleetEventStore(logs.eventLog('s1'));
    const there = new FleetEventStore(logs.eventLog('s1'));
    const first = await here.storeEvent(STANDALONE_STREAM_ID, note(1));
    const next = await here.storeEvent(STANDALONE_STREAM_ID, note(2));
    const local = await here.storeEvent('post-1', note(3));
    expect((await replay(there, first)).sent).toEqual([[next, note(2)]]);
    expect(await there.getStreamIdForEventId(local)).toBeUndefined();
    await expect(replay(there, local)).rejects.toThrow(/Unknown event ID/);
    for (const bad of ['', 'x', 'g.nope', 'l.', 'l.zzzzzzzz.0']) {
      expect(await here.getStreamIdForEventId(bad)).toBeUndefined();
    }
  });

  it(`keeps the last ${LOCAL_EVENT_LIMIT} local events`, async () => {
    const store = new FleetEventStore(new MemoryEventLogs().eventLog('s1'));
    const first = await store.storeEvent('post-1', note(0));
    for (let n = 1; n <= LOCAL_EVENT_LIMIT; n++) await store.storeEvent('post-1', note(n));
    expect(await store.getStreamIdForEventId(first)).toBeUndefined();
  });

  it('is used only for a store offering event logs, when on and no event store is given', () => {
    const logs = new MemoryEventLogs();
    const given = new FleetEventStore(logs.eventLog('x'));
    expect(isEventLogSource(logs)).toBe(true);
    expect(isEventLogSource(new MemoryStore())).toBe(false);
    expect(eventStoreFor(undefined, true, logs, 's1', POLICY)).toBeInstanceOf(FleetEventStore);
    expect(eventStoreFor(undefined, false, logs, 's1', POLICY)).toBeUndefined();
    expect(eventStoreFor(given, true, logs, 's1', POLICY)).toBe(given);
    expect(eventStoreFor(undefined, true, new MemoryStore(), 's1', POLICY)).toBeUndefined();
  });
});
