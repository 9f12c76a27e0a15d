/**
 * The types of the session manager's API: what to create, per-call options, leases, end hooks
 * and stats. Re-exported by `session-manager.ts` and the root entry.
 *
 * @module
 */
import type { SessionEndInfo } from './events.js';
import type { ActiveResolution, EndReason, JsonValue, Resolution } from './types.js';

/** What to create; every field is optional. */
export interface CreateSessionOptions {
  /** Use this ID instead of generating one (see {@link SessionManager.register}). */
  id?: string;
  /** Bind the session to this principal: only the same owner resolves it. */
  owner?: string | undefined;
  /** Which transport the session belongs to (`'streamable-http'`, `'sse'`, ...). */
  kind?: string | undefined;
  /** Small application data (JSON, at most 64 KiB as text). */
  data?: JsonValue | undefined;
  /**
   * The `initialize` request, kept as JSON text so another replica can restore the session (at
   * most `maxInitBytes` as UTF-8; the record's `init` is that text).
   */
  init?: JsonValue | undefined;
  /**
   * The client's network address, without port, as the transport sees it (the HTTP handlers
   * pass it): counted by `creationRate.perAddress`, never stored. 1 to 256 characters, else
   * `INVALID_ARGUMENT`.
   * @default none (not counted per address)
   */
  address?: string | undefined;
}

/** Per-call options of lookups. */
export interface ResolveOptions {
  /** The caller's principal; a session of another owner answers `unknown`. */
  owner?: string | undefined;
}

/** An acquired session: call `release()` exactly when the request or stream finishes. */
export interface Lease extends ActiveResolution {
  /** Unpins the session; the idle clock restarts from now. Idempotent; never rejects. */
  release(): Promise<void>;
}

/** The answer of {@link SessionManager.acquire}: a lease, or why there is none. */
export type Acquisition = Lease | Exclude<Resolution, ActiveResolution>;

/** A per-session cleanup, run on this replica when the session ends for any reason. */
export type EndHook = (info: SessionEndInfo) => unknown;

/** Counters and gauges of {@link SessionManager.stats}. */
export interface SessionStats {
  /** Live sessions in the store (fleet-wide for a shared store). */
  readonly live: number;
  /** Tombstones in the store. */
  readonly tombstones: number;
  /**
   * The stored `initialize` requests of the live sessions, in bytes of JSON text (UTF-8): what
   * they cost in memory, roughly, with the memory store. `undefined` when the store does not
   * keep this count (the Redis store: ask Redis for its memory).
   */
  readonly initBytes: number | undefined;
  /** Sessions pinned by open requests or streams on this replica. */
  readonly pinned: number;
  /** Sessions with end hooks or pins on this replica. */
  readonly attached: number;
  /** Sessions created through this manager. */
  readonly created: number;
  /** Sessions ended by this manager, by reason. */
  readonly ended: Readonly<Record<EndReason, number>>;
}
