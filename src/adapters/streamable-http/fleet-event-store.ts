import type { EventLogSource, SessionEventLog } from '../../core/relay.js';
import { generateSessionId } from '../../core/session-id.js';
import type { StorePolicy } from '../../core/store.js';
import type { RpcMessage, SdkEventStore } from './sdk.js';

/** The SDK's stream ID of the standalone `GET` stream. */
export const STANDALONE_STREAM_ID = '_GET_stream';

/** Most events a transport keeps of its `POST` streams, oldest dropped first. */
export const LOCAL_EVENT_LIMIT = 256;

const SHARED_PREFIX = 'g.';
const LOCAL_PREFIX = 'l.';

/** True when `store` offers shared event histories (it has an `eventLog` function). */
export function isEventLogSource(store: unknown): store is EventLogSource {
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof (store as { eventLog?: unknown }).eventLog === 'function'
  );
}

interface LocalEvent {
  readonly id: string;
  readonly streamId: string;
  readonly message: RpcMessage;
}

/**
 * The event store of one session's transport in a fleet: the standalone `GET` stream's events go
 * to the session's shared log (any replica can replay them to a client that reconnects
 * elsewhere), while events of `POST` streams (answers to one request, and their priming events)
 * stay in a small log of this transport, so a tool call costs no store command. Shared event IDs
 * read `g.<log's ID>`, local ones `l.<transport token>.<n>`; an ID of another transport, an
 * evicted one or a malformed one is unknown: `getStreamIdForEventId` answers `undefined` (the
 * SDK answers 400) and `replayEventsAfter` rejects.
 */
export class FleetEventStore implements SdkEventStore {
  readonly #shared: SessionEventLog;
  readonly #token = generateSessionId().slice(0, 8);
  readonly #events: LocalEvent[] = [];
  #next = 0;

  /** @param shared the session's shared log. */
  constructor(shared: SessionEventLog) {
    this.#shared = shared;
  }

  async storeEvent(streamId: string, message: RpcMessage): Promise<string> {
    if (streamId === STANDALONE_STREAM_ID) {
      return SHARED_PREFIX + (await this.#shared.storeEvent(streamId, message));
    }
    const id = `${LOCAL_PREFIX}${this.#token}.${this.#next++}`;
    this.#events.push({ id, streamId, message });
    if (this.#events.length > LOCAL_EVENT_LIMIT) this.#events.shift();
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    if (eventId.startsWith(SHARED_PREFIX)) {
      const sharedId = eventId.slice(SHARED_PREFIX.length);
      const lookup = this.#shared.getStreamIdForEventId;
      if (lookup === undefined) return STANDALONE_STREAM_ID;
      try {
        return await lookup.call(this.#shared, sharedId);
      } catch {
        return undefined;
      }
    }
    return this.#local(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: RpcMessage) => Promise<void> },
  ): Promise<string> {
    if (lastEventId.startsWith(SHARED_PREFIX)) {
      return this.#shared.replayEventsAfter(lastEventId.slice(SHARED_PREFIX.length), {
        send: (id, message) => send(SHARED_PREFIX + id, message as RpcMessage),
      });
    }
    const last = this.#local(lastEventId);
    if (last === undefined) throw new Error('Unknown event ID.');
    let after = false;
    for (const event of [...this.#events]) {
      if (event === last) after = true;
      else if (after && event.streamId === last.streamId) await send(event.id, event.message);
    }
    return last.streamId;
  }

  /** True when `lastEventId` is an event of the shared log (the standalone stream's). */
  static resumesStandalone(lastEventId: string): boolean {
    return lastEventId.startsWith(SHARED_PREFIX);
  }

  #local(id: string): LocalEvent | undefined {
    if (!id.startsWith(`${LOCAL_PREFIX}${this.#token}.`)) return undefined;
    return this.#events.find((event) => event.id === id);
  }
}

/**
 * The event store of session `sessionId`'s transport: `given` (from `transportOptions`) when
 * there is one; else, when `enabled` and `store` offers shared event logs, a
 * {@link FleetEventStore} over the session's log under `policy`; else none.
 */
export function eventStoreFor(
  given: SdkEventStore | undefined,
  enabled: boolean,
  store: unknown,
  sessionId: string,
  policy: StorePolicy,
): SdkEventStore | undefined {
  if (given !== undefined || !enabled || !isEventLogSource(store)) return given;
  return new FleetEventStore(store.eventLog(sessionId, policy));
}
