/**
 * Why a pooled resource was closed.
 *
 * - `session-ended`: its session ended, for any reason (including the manager's `close()`).
 * - `idle`: it was not used for longer than `idleTimeoutMs`.
 * - `failures`: `maxFailures` consecutive failures were recorded for it (an eviction).
 * - `deleted`: {@link SessionResources.delete} was called for it.
 * - `shutdown`: the pool was closed.
 */
export type ResourceCloseReason = 'session-ended' | 'idle' | 'failures' | 'deleted' | 'shutdown';

/** Every {@link ResourceCloseReason}, in a stable order. */
export const RESOURCE_CLOSE_REASONS: readonly ResourceCloseReason[] = Object.freeze([
  'session-ended',
  'idle',
  'failures',
  'deleted',
  'shutdown',
]);

/** What the `create` factory is told about the resource it makes. */
export interface ResourceContext {
  readonly sessionId: string;
  readonly key: string;
  /** The session's owner (`undefined`: the session has none). */
  readonly owner: string | undefined;
  /** Aborted when the resource is no longer wanted (its session ended, deleted, pool closed). */
  readonly signal: AbortSignal;
}

/** What a `close` option is told about the resource it closes. */
export interface ResourceCloseContext {
  readonly sessionId: string;
  readonly key: string;
  readonly reason: ResourceCloseReason;
}

/** Payload of the `created` event. */
export interface ResourceInfo {
  readonly sessionId: string;
  readonly key: string;
}

/** Payload of the `closed` event, emitted once the closer finished (or failed, or timed out). */
export interface ResourceClosedInfo extends ResourceCloseContext {
  /** The last failure recorded for the resource, when it was evicted for failures. */
  readonly error?: unknown;
}

/** Payload of the `error` event: a failure that was contained so that no request path throws. */
export interface ResourceFailure {
  /** `close`: a closer failed or timed out; `listener`: an event listener threw. */
  readonly phase: 'close' | 'listener';
  readonly error: unknown;
  readonly sessionId?: string | undefined;
  readonly key?: string | undefined;
}

/**
 * The pool's events.
 *
 * - `created`: a resource was created and cached.
 * - `closed`: a resource was closed (exactly once per resource), with the reason.
 * - `error`: a closer or a listener failed; the failure was contained.
 */
export interface ResourceEvents {
  created: (info: ResourceInfo) => void;
  closed: (info: ResourceClosedInfo) => void;
  error: (failure: ResourceFailure) => void;
}

/** Counters and gauges of {@link SessionResources.stats}. */
export interface ResourceStats {
  /** Sessions holding at least one resource or creation here. */
  readonly sessions: number;
  /** Resources ready in the pool. */
  readonly resources: number;
  /** Creations in flight. */
  readonly creating: number;
  /** `use()` calls running. */
  readonly inUse: number;
  /** Resources created since the pool started. */
  readonly created: number;
  /** Creations that failed (factory error or a value that cannot be closed). */
  readonly createFailures: number;
  /** Failures recorded through `recordFailure` or `use`. */
  readonly failures: number;
  /** Resources closed, by reason. */
  readonly closed: Readonly<Record<ResourceCloseReason, number>>;
  /** Closers that threw, rejected or timed out. */
  readonly closeFailures: number;
  /** Resources evicted for reaching `maxFailures` consecutive failures. */
  readonly evicted: number;
}
