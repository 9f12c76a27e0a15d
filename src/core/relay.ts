import type { StorePolicy } from './store.js';
import type { JsonValue } from './types.js';

/**
 * What one replica of a fleet sends another about a session.
 *
 * - `to-stream`: a server-to-client message not tied to a client request (a notification, or a
 *   request such as `roots/list` sent outside any call), for the replica holding the session's
 *   stream (the Streamable HTTP `GET` stream, or the legacy SSE stream) to send on it.
 * - `to-server`: client-to-server messages for the replica whose server must receive them: the
 *   client's answers to a server request that replica sent (Streamable HTTP), or a legacy SSE
 *   `POST` that landed on a replica without the stream. `authInfo` is what the receiving
 *   replica's request carried, as JSON.
 * - `ended`: the session ended; every replica lets go of its transport and server for it.
 */
export type RelayEnvelope =
  | { readonly type: 'to-stream'; readonly sessionId: string; readonly message: JsonValue }
  | {
      readonly type: 'to-server';
      readonly sessionId: string;
      readonly messages: readonly JsonValue[];
      readonly authInfo?: JsonValue | undefined;
    }
  | { readonly type: 'ended'; readonly sessionId: string };

/** Receives the envelopes addressed to this replica (and broadcasts). Must not throw. */
export type RelayListener = (envelope: RelayEnvelope) => void;

/**
 * Carries messages between the replicas of a fleet that share one session store, so any replica
 * can serve any message of any session. One subscription per replica (its own address and the
 * broadcast), never one per session.
 *
 * Implementations: `RedisRelay` from `mcp-sessions/redis`. Failures reject with
 * `SessionError('STORE_UNAVAILABLE')`.
 */
export interface SessionRelay {
  /**
   * This replica's address: 1 to 32 characters of `[A-Za-z0-9_-]`, unique in the fleet,
   * stable for the relay's life.
   */
  readonly replicaId: string;

  /**
   * Starts delivering envelopes addressed to this replica, and broadcasts, to `listener`;
   * resolves once the subscription is in place. Several listeners may be registered; the
   * returned function removes this one.
   */
  listen(listener: RelayListener): Promise<() => void>;

  /**
   * Sends `envelope` to replica `to`. Answers `false` when no replica listens at that address
   * (it is gone), so the caller can fall back; `true` says it was handed over, not processed.
   */
  send(to: string, envelope: RelayEnvelope): Promise<boolean>;

  /** Sends `envelope` to every replica but this one. */
  broadcast(envelope: RelayEnvelope): Promise<void>;

  /**
   * Records that this replica holds the stream of session `sessionId` (until
   * {@link SessionRelay.releaseStream}). The record is renewed while held, so a crashed
   * replica's record lapses within a bounded time.
   */
  holdStream(sessionId: string): Promise<void>;

  /** Drops this replica's record for the session's stream (only if it is still this replica's). */
  releaseStream(sessionId: string): Promise<void>;

  /** The replica holding the session's stream, or `undefined` when none does. */
  streamHolder(sessionId: string): Promise<string | undefined>;

  /** Stops listening and renewing. Never closes a client the caller passed in. Idempotent. */
  close(): Promise<void>;
}

/**
 * A session's resumable event history, shared by every replica: the shape of the SDK's
 * `EventStore` (`storeEvent`, `replayEventsAfter`), scoped to one session. Event IDs are
 * opaque strings.
 */
export interface SessionEventLog {
  /** Appends `message` to stream `streamId`; answers its event ID. */
  storeEvent(streamId: string, message: unknown): Promise<string>;
  /**
   * Sends, in order, every event of the stream of `lastEventId` that came after it; answers that
   * stream's ID. Rejects when the event is unknown (too old, or of another session).
   */
  replayEventsAfter(
    lastEventId: string,
    options: { send: (eventId: string, message: unknown) => Promise<void> },
  ): Promise<string>;
  /** The stream an event belongs to, or `undefined` when the event is unknown. */
  getStreamIdForEventId?(eventId: string): Promise<string | undefined>;
}

/**
 * A store that also keeps session event histories for resumption across replicas (the Redis
 * store does). Handlers use it by default when their manager's store offers it.
 */
export interface EventLogSource {
  /**
   * The event history of session `sessionId`, kept no longer than the session can live under
   * `policy`, and deleted with the session when it ends.
   */
  eventLog(sessionId: string, policy: StorePolicy): SessionEventLog;
}
