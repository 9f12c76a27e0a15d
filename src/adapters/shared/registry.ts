import { type Logger, maskSessionId } from '../../core/logger.js';
import type { SessionServer } from './server.js';

/** This process's transport and server of one session, as a handler keeps them. */
export interface LocalSession {
  readonly transport: { close(): Promise<void> };
  /** The session's server, once built. */
  server: SessionServer | undefined;
  /** Set once the session is being let go here; never cleared. */
  closing: boolean;
  /** Detaches the handler's hooks on the session; may answer when all is let go. */
  detach: () => void | Promise<void>;
}

/**
 * The sessions whose transport and server live in this process, by session ID: what each
 * complete handler keeps, with one way to let a session go.
 */
export class LocalSessions<S extends LocalSession> {
  readonly #sessions = new Map<string, S>();
  readonly #logger: Logger;

  /** @param logger where failures to close a transport or server are reported. */
  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** How many sessions are held here. */
  get size(): number {
    return this.#sessions.size;
  }

  /** The session `id` held here, if any. */
  get(id: string): S | undefined {
    return this.#sessions.get(id);
  }

  /** The sessions held here, by ID. */
  entries(): IterableIterator<[string, S]> {
    return this.#sessions.entries();
  }

  /** Holds `local` as the session `id`. */
  set(id: string, local: S): void {
    this.#sessions.set(id, local);
  }

  /**
   * Marks `local` closing and stops holding it (unless another took its place). Answers `false`
   * when it was already closing.
   */
  forget(id: string, local: S): boolean {
    if (local.closing) return false;
    local.closing = true;
    if (this.#sessions.get(id) === local) this.#sessions.delete(id);
    return true;
  }

  /**
   * Lets `local` go without ending its session: forgets it, detaches its hooks, closes its server
   * then its transport. Failures to close are logged; never rejects. Idempotent.
   */
  async dispose(id: string, local: S): Promise<void> {
    if (!this.forget(id, local)) return;
    const detached = local.detach();
    try {
      await local.server?.close();
      await local.transport.close();
    } catch (error) {
      this.#logger.warn?.('mcp-sessions: closing a session transport failed', {
        session: maskSessionId(id),
        error,
      });
    }
    await detached;
  }

  /** {@link LocalSessions.dispose} for every session held. */
  async disposeAll(): Promise<void> {
    await Promise.all([...this.#sessions].map(([id, local]) => this.dispose(id, local)));
  }
}
