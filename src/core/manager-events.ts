/**
 * A manager's events and what it contains: emitting `created` and `ended`, reporting failures
 * (`error` event and logger), and counting the store failures among them. Internal.
 *
 * @module
 */
import type { Counters } from './counters.js';
import { type SessionEvents, type SessionFailurePhase, TypedEvents } from './events.js';
import { logFailure, reportFailure } from './failures.js';
import type { Logger } from './logger.js';

/** The log line of every failure the manager contains. */
const FAILURE_MESSAGE = 'mcp-sessions: contained failure';

/** The event registry of one manager, with its failure reporting. */
export class ManagerEvents {
  /** Where listeners subscribe (`SessionManager.on` / `off`). */
  readonly registry: TypedEvents<SessionEvents>;
  readonly #logger: Logger | undefined;
  readonly #counters: Counters;

  constructor(logger: Logger | undefined, counters: Counters) {
    this.#logger = logger;
    this.#counters = counters;
    this.registry = new TypedEvents<SessionEvents>((event, error, arg) =>
      this.#listenerRejected(event, error, arg),
    );
  }

  /** Emits `created` or `ended`; a listener that throws is reported (phase `listener`). */
  emit<K extends 'created' | 'ended'>(event: K, arg: Parameters<SessionEvents[K]>[0]): void {
    const errors = this.registry.emit(event, arg);
    if (errors !== undefined) for (const error of errors) this.report('listener', error, arg.id);
  }

  /** Reports a contained failure (`error` event, logger); a store failure is also counted. */
  report(phase: SessionFailurePhase, error: unknown, sessionId?: string): void {
    this.#counters.storeFailed(error);
    reportFailure(this.registry, this.#logger, FAILURE_MESSAGE, { phase, error, sessionId });
  }

  /**
   * An async listener's promise rejected: reported like a listener that threw. A rejecting
   * `error` listener is only logged, so that it cannot feed itself.
   */
  #listenerRejected(event: keyof SessionEvents, error: unknown, arg: unknown): void {
    if (event === 'error') {
      const sessionId = (arg as { sessionId?: string | undefined }).sessionId;
      logFailure(this.#logger, FAILURE_MESSAGE, { phase: 'listener', error, sessionId });
    } else {
      this.report('listener', error, (arg as { id: string }).id);
    }
  }
}
