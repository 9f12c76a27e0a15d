import type { EndReason, SessionRecord } from './types.js';

/** Payload of the `ended` event and of per-session end hooks. */
export interface SessionEndInfo {
  readonly id: string;
  readonly reason: EndReason;
  readonly endedAt: number;
  /**
   * The record as it was when the session ended, a plain snapshot (absent when this replica only
   * learned of the end).
   */
  readonly session?: SessionRecord | undefined;
}

/** Where a reported failure came from. */
export type SessionFailurePhase =
  | 'end-hook'
  | 'listener'
  | 'sweep'
  | 'release'
  | 'renew'
  | 'verify';

/** Payload of the `error` event: a failure that was caught so that no request path throws. */
export interface SessionFailure {
  readonly phase: SessionFailurePhase;
  readonly error: unknown;
  readonly sessionId?: string | undefined;
}

/**
 * The manager's events.
 *
 * - `created`: a session was created through this manager.
 * - `ended`: a session was ended by this manager (once per session across a fleet: on the
 *   replica whose call or sweep ended it). Per-session hooks (`onEnd`) run on every replica
 *   holding the session, before this event. When a sweep's claim failed after the store ran it
 *   (a lost reply), the sweeping replica emits `ended` (without `session`) for each session it
 *   held there once it finds the tombstone that claim wrote, at a later sweep or request; a
 *   claimed session that no replica held has no `ended`.
 * - `error`: a hook, listener, sweep or release failed; the failure was contained.
 *
 * Listeners may be async. A listener that throws, or returns a promise that rejects, is reported
 * as an `error` event with phase `listener` (and to the logger); a rejection never escapes as an
 * unhandled rejection. An `error` listener's own failure goes to the logger only (else
 * `console.error`), so it cannot loop.
 */
export interface SessionEvents {
  created: (session: SessionRecord) => void;
  ended: (info: SessionEndInfo) => void;
  error: (failure: SessionFailure) => void;
}

/**
 * What a {@link TypedEvents} registry does with a listener whose returned promise rejected:
 * `event` is the event it listened to, `arg` what the event carried.
 */
export type ListenerRejectionHandler<Events> = (
  event: keyof Events,
  error: unknown,
  arg: unknown,
) => void;

/** The default {@link ListenerRejectionHandler}: logs to `console.error`. */
function logRejection(event: PropertyKey, error: unknown): void {
  console.error('mcp-sessions: an event listener rejected', { event: String(event), error });
}

/**
 * A tiny typed event registry (no Node `EventEmitter`, so the core runs anywhere).
 *
 * A listener may be async: when it returns a promise (any thenable) that rejects, the rejection
 * is handed to the registry's rejection handler and never escapes as an unhandled rejection.
 */
export class TypedEvents<Events extends { [K in keyof Events]: (arg: never) => void }> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>();
  readonly #onRejected: ListenerRejectionHandler<Events>;

  /** @param onRejected where rejections of async listeners go. @default `console.error` */
  constructor(onRejected: ListenerRejectionHandler<Events> = logRejection) {
    this.#onRejected = onRejected;
  }

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.#listeners.get(event)?.delete(listener);
  }

  has(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  /**
   * Calls each listener; answers the errors they threw (never throws). A listener's promise
   * that rejects later goes to the rejection handler.
   */
  emit<K extends keyof Events>(event: K, arg: Parameters<Events[K]>[0]): unknown[] | undefined {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return undefined;
    let errors: unknown[] | undefined;
    for (const listener of set) {
      try {
        const result: unknown = (listener as (a: typeof arg) => unknown)(arg);
        if (isThenable(result)) {
          result.then(undefined, (error: unknown) => this.#rejected(event, error, arg));
        }
      } catch (error) {
        errors ??= [];
        errors.push(error);
      }
    }
    return errors;
  }

  /** Hands a rejection to the handler; a handler that throws is logged, never rethrown. */
  #rejected(event: keyof Events, error: unknown, arg: unknown): void {
    try {
      this.#onRejected(event, error, arg);
    } catch (handlerError) {
      logRejection(event, handlerError);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
