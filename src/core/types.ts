/**
 * Why a session ended.
 *
 * - `idle`: no request or open stream for longer than the idle TTL.
 * - `lifetime`: the absolute maximum lifetime ran out (pinned or not).
 * - `deleted`: the client ended the session (a Streamable HTTP `DELETE`, or closing a legacy SSE stream).
 * - `closed`: server code called {@link SessionManager.end}.
 * - `evicted`: removed to make room at capacity.
 * - `shutdown`: the manager was closed.
 */
export type EndReason = 'idle' | 'lifetime' | 'deleted' | 'closed' | 'evicted' | 'shutdown';

/** Every {@link EndReason}, in a stable order (useful for metrics and validation). */
export const END_REASONS: readonly EndReason[] = Object.freeze([
  'idle',
  'lifetime',
  'deleted',
  'closed',
  'evicted',
  'shutdown',
]);

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * A session as the manager hands it out. Times are milliseconds from the manager's clock.
 *
 * Every record the manager answers (from `create`, `resolve`, `touch`, `acquire`, `update`,
 * `list`, the `created` and `ended` events and end hooks) is a plain object detached from the
 * store: keep it, spread it or serialize it as it is; a later touch or update does not change
 * it.
 */
export interface SessionRecord {
  /** The session ID (visible ASCII, 0x21–0x7E). */
  readonly id: string;
  /** Who the session belongs to; only that owner resolves it. `undefined`: no owner. */
  readonly owner?: string | undefined;
  /** Which transport created it (`'streamable-http'`, `'sse'`, ...); free-form. */
  readonly kind?: string | undefined;
  /** Small application data kept with the session (JSON); change it with `SessionManager.update`. */
  readonly data?: JsonValue | undefined;
  /**
   * The stored `initialize` request as JSON text (`JSON.parse` it to replay it), so another
   * replica can restore the session. Kept as text, at most `maxInitBytes`: a string costs its
   * length in memory where the parsed request cost several times that. `create` and `resolve`
   * answer it; `touch` and `acquire` may leave it out (the Redis store does: a touch runs on
   * every request), so read it with `resolve` when you need it.
   */
  readonly init?: string | undefined;
  /** When the session was created. */
  readonly createdAt: number;
  /** The last touch: the start of the idle clock. */
  readonly lastSeenAt: number;
  /**
   * The version of `data`: 1 when the session is created, one more on every data update. A
   * touch never changes it. Stores compare it to apply an update only to the data it was made
   * from (see `SessionStore.update`).
   */
  readonly version: number;
}

/** What is left of an ended session: enough to answer "expired" rather than "never existed". */
export interface Tombstone {
  readonly id: string;
  readonly owner?: string | undefined;
  readonly reason: EndReason;
  /** When the session ended. */
  readonly endedAt: number;
}

/** A live session. */
export interface ActiveResolution {
  readonly status: 'active';
  readonly session: SessionRecord;
}

/** A session that existed and ended; its tombstone tells why and when. */
export interface EndedResolution {
  readonly status: 'ended';
  readonly tombstone: Tombstone;
}

/** Never existed, tombstone gone, or belongs to another owner (indistinguishable on purpose). */
export interface UnknownResolution {
  readonly status: 'unknown';
}

/** The answer of {@link SessionManager.resolve} and {@link SessionManager.touch}. */
export type Resolution = ActiveResolution | EndedResolution | UnknownResolution;

/**
 * The one `unknown` resolution, frozen: stores and the manager answer it instead of allocating
 * a new one. Internal to the library (stores of this package and the manager share it).
 */
export const UNKNOWN: UnknownResolution = Object.freeze({ status: 'unknown' });
