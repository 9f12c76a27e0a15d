import { createHash } from 'node:crypto';
import { SessionError } from '../../core/errors.js';
import type { SessionEventLog } from '../../core/relay.js';
import type { StorePolicy } from '../../core/store.js';
import { MINUTE_MS } from '../../core/validate.js';
import type { TimedConnection } from './connection.js';
import { scripts } from './scripts.js';

/** The shortest TTL an event log gets when sessions idle-expire, in ms. */
export const EVENT_LOG_MIN_TTL_MS = 10 * MINUTE_MS;

/** Entries read per `XRANGE` while replaying, so a long history never blocks Redis. */
const REPLAY_PAGE = 100;

/** The message of a priming event: an ID carrier with no data, never replayed. */
const PRIMING_MESSAGE = '{}';

/** A Redis stream entry ID: milliseconds, a dash, a sequence number. */
const ENTRY_ID = /^\d{1,20}-\d{1,20}$/;

/**
 * How long an event log outlives its last event, in ms (0: no TTL): the policy's idle TTL, at
 * least {@link EVENT_LOG_MIN_TTL_MS} (a pinned session may go long without events), at most
 * its `maxLifetimeMs`; `maxLifetimeMs` when sessions never idle-expire; no TTL when they never
 * expire at all. The end and claim scripts delete the log with the session either way.
 */
export function eventLogTtlMs(policy: Pick<StorePolicy, 'idleTtlMs' | 'maxLifetimeMs'>): number {
  const { idleTtlMs, maxLifetimeMs } = policy;
  if (idleTtlMs <= 0) return Math.max(maxLifetimeMs, 0);
  const ttl = Math.max(idleTtlMs, EVENT_LOG_MIN_TTL_MS);
  return maxLifetimeMs > 0 ? Math.min(ttl, maxLifetimeMs) : ttl;
}

/**
 * What tells one session's event IDs from another's: `.<12 hex digits of the session ID's
 * SHA-256>_`. Stream entry IDs are times, so two sessions' logs share them.
 */
function sessionTagOf(sessionId: string): string {
  return `.${createHash('sha256').update(sessionId).digest('hex').slice(0, 12)}_`;
}

/**
 * An event ID of the session tagged `tag` split into its stream entry ID and its stream ID;
 * `undefined` when malformed or of another session.
 */
function parseEventId(
  eventId: unknown,
  tag: string,
): { entry: string; streamId: string } | undefined {
  if (typeof eventId !== 'string') return undefined;
  const at = eventId.indexOf(tag);
  if (at < 0 || at + tag.length === eventId.length) return undefined;
  const entry = eventId.slice(0, at);
  return ENTRY_ID.test(entry) ? { entry, streamId: eventId.slice(at + tag.length) } : undefined;
}

/** One `XRANGE` entry as both clients decode it: `[id, [field, value, ...]]`. */
type Entry = [string, string[]];

function entriesOf(reply: unknown, key: string): Entry[] {
  if (!Array.isArray(reply)) {
    throw new SessionError('STORE_CORRUPT', `Redis answered XRANGE on ${key} with a non-array.`);
  }
  return reply as Entry[];
}

/** The value of `field` in an entry's flat field list. */
function fieldOf(fields: string[], field: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === field) return String(fields[i + 1]);
  }
  return undefined;
}

/**
 * One session's event history in a Redis stream, `<prefix>events:<id>`: one entry per event,
 * with its stream ID (`s`) and message as JSON text (`m`). Event IDs are
 * `<entry ID>.<session tag>_<stream ID>`, opaque to clients. Made by {@link RedisStore.eventLog}.
 */
export class RedisEventLog implements SessionEventLog {
  readonly #connection: TimedConnection;
  readonly #key: string;
  readonly #tag: string;
  readonly #maxEvents: string;
  readonly #ttlMs: string;
  /** The event {@link RedisEventLog.getStreamIdForEventId} last vouched for. */
  #vouched: string | undefined;

  /**
   * @param key the session's stream key, `<prefix>events:<sessionId>`.
   * @param ttlMs see {@link eventLogTtlMs}.
   */
  constructor(
    connection: TimedConnection,
    sessionId: string,
    key: string,
    maxEvents: number,
    ttlMs: number,
  ) {
    this.#connection = connection;
    this.#key = key;
    this.#tag = sessionTagOf(sessionId);
    this.#maxEvents = String(maxEvents);
    this.#ttlMs = String(ttlMs);
  }

  /**
   * Appends the event in one round trip, dropping the oldest beyond `maxEvents` and setting
   * the log's TTL (see {@link eventLogTtlMs}).
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails or does not answer in time.
   */
  async storeEvent(streamId: string, message: unknown): Promise<string> {
    const script = scripts.eventAdd;
    const args = script.command();
    args.push(this.#key, streamId, JSON.stringify(message), this.#maxEvents, this.#ttlMs);
    const entry = await script.run(this.#connection, args);
    if (typeof entry !== 'string') {
      throw new SessionError('STORE_CORRUPT', `Redis answered XADD with ${String(entry)}.`);
    }
    return `${entry}${this.#tag}${streamId}`;
  }

  /**
   * Answers the stream of an event still in the log (one `XRANGE`); `undefined` for a malformed
   * ID, an event trimmed or expired, or one of another session.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails or does not answer in time.
   */
  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parseEventId(eventId, this.#tag);
    if (parsed === undefined) return undefined;
    const reply = await this.#connection.send(['XRANGE', this.#key, parsed.entry, parsed.entry]);
    const first = entriesOf(reply, this.#key)[0];
    if (first === undefined || fieldOf(first[1], 's') !== parsed.streamId) return undefined;
    this.#vouched = eventId;
    return parsed.streamId;
  }

  /**
   * Sends, in order, every later event of the same stream, reading the log a page at a time;
   * priming events (empty messages) are skipped. An event this log vouched for by
   * {@link RedisEventLog.getStreamIdForEventId} is replayed from even if it was trimmed since.
   * @throws SessionError `INVALID_ARGUMENT` when the event is malformed or no longer in the log;
   * `STORE_UNAVAILABLE` when Redis fails; `STORE_CORRUPT` for an entry the log did not write.
   */
  async replayEventsAfter(
    lastEventId: string,
    options: { send: (eventId: string, message: unknown) => Promise<void> },
  ): Promise<string> {
    const parsed = parseEventId(lastEventId, this.#tag);
    if (parsed === undefined) throw unknownEvent(lastEventId);
    const { streamId } = parsed;
    let start = parsed.entry;
    let entries: Entry[];
    do {
      const command = ['XRANGE', this.#key, start, '+', 'COUNT', String(REPLAY_PAGE)];
      entries = entriesOf(await this.#connection.send(command), this.#key);
      if (start === parsed.entry) this.#checkStart(entries[0], lastEventId, parsed.entry, streamId);
      for (const [entry, fields] of entries) {
        start = `(${entry}`;
        if (entry === parsed.entry || fieldOf(fields, 's') !== streamId) continue;
        const text = fieldOf(fields, 'm');
        if (text === PRIMING_MESSAGE) continue;
        await options.send(`${entry}${this.#tag}${streamId}`, decodeMessage(text, this.#key));
      }
    } while (entries.length === REPLAY_PAGE);
    return streamId;
  }

  /** Throws unless the replay starts at the event itself, or at one this log vouched for. */
  #checkStart(first: Entry | undefined, eventId: string, entry: string, streamId: string): void {
    if (first?.[0] === entry && fieldOf(first[1], 's') === streamId) return;
    if (this.#vouched !== eventId) throw unknownEvent(eventId);
  }
}

function unknownEvent(eventId: string): SessionError {
  return new SessionError(
    'INVALID_ARGUMENT',
    `Unknown event ID ${JSON.stringify(eventId.slice(0, 100))}: not in this session's event log (too old, malformed, or another session's).`,
  );
}

function decodeMessage(text: string | undefined, key: string): unknown {
  try {
    if (text !== undefined) return JSON.parse(text);
  } catch {
    // Reported below.
  }
  throw new SessionError('STORE_CORRUPT', `An entry of ${key} holds no JSON message.`);
}
