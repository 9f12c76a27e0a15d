import type { SessionEventLog } from '../../src/core/relay.js';

interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  readonly message: unknown;
}

/**
 * Shared session event logs in memory, as a store offering `eventLog` keeps them: the test
 * double of the `EventLogSource` contract. Counts the events stored.
 */
export class MemoryEventLogs {
  readonly #logs = new Map<string, StoredEvent[]>();
  /** Events stored so far, over all sessions. */
  stored = 0;
  #next = 0;

  /** The events of session `sessionId`, oldest first. */
  events(sessionId: string): readonly StoredEvent[] {
    return this.#logs.get(sessionId) ?? [];
  }

  eventLog(sessionId: string): SessionEventLog {
    const events = this.#logs.get(sessionId) ?? [];
    this.#logs.set(sessionId, events);
    return {
      storeEvent: async (streamId, message) => {
        this.stored++;
        const id = `e${this.#next++}`;
        events.push({ id, streamId, message });
        return id;
      },
      getStreamIdForEventId: async (eventId) => events.find((e) => e.id === eventId)?.streamId,
      replayEventsAfter: async (lastEventId, { send }) => {
        const at = events.findIndex((e) => e.id === lastEventId);
        if (at < 0) throw new Error('Unknown event ID.');
        const streamId = events[at]?.streamId ?? '';
        for (const event of events.slice(at + 1)) {
          if (event.streamId === streamId) await send(event.id, event.message);
        }
        return streamId;
      },
    };
  }
}
