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
 *   holding the session, before this event.
 * - `error`: a hook, listener, sweep or release failed; the failure was contained.
 */
export interface SessionEvents {
  created: (session: SessionRecord) => void;
  ended: (info: SessionEndInfo) => void;
  error: (failure: SessionFailure) => void;
}

/** A tiny typed event registry (no Node `EventEmitter`, so the core runs anywhere). */
export class TypedEvents<Events extends { [K in keyof Events]: (arg: never) => void }> {
  readonly #listeners = new Map<keyof Events, Set<Events[keyof Events]>>();

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

  /** Calls each listener; answers the errors they threw (never throws). */
  emit<K extends keyof Events>(event: K, arg: Parameters<Events[K]>[0]): unknown[] | undefined {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return undefined;
    let errors: unknown[] | undefined;
    for (const listener of set) {
      try {
        (listener as (a: typeof arg) => void)(arg);
      } catch (error) {
        errors ??= [];
        errors.push(error);
      }
    }
    return errors;
  }
}
