import type { Logger } from '../../core/logger.js';
import { maskSessionId } from '../../core/logger.js';
import type { RelayEnvelope, SessionRelay } from '../../core/relay.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { JsonValue } from '../../core/types.js';

/** A replica address a relay accepts: 1 to 32 characters of `[A-Za-z0-9_-]`. */
const REPLICA_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** True when `value` has every method of a {@link SessionRelay} and a valid `replicaId`. */
export function isSessionRelay(value: unknown): value is SessionRelay {
  if (typeof value !== 'object' || value === null) return false;
  const relay = value as Record<string, unknown>;
  return (
    typeof relay.replicaId === 'string' &&
    REPLICA_ID.test(relay.replicaId) &&
    ['listen', 'send', 'broadcast', 'holdStream', 'releaseStream', 'streamHolder'].every(
      (name) => typeof relay[name] === 'function',
    )
  );
}

/** What {@link RelayLink} needs of its handler. */
export interface RelayLinkOptions {
  readonly relay: SessionRelay;
  readonly sessions: SessionManager;
  /** The session kind of the handler: ends of sessions of another kind are not broadcast. */
  readonly kind: string;
  readonly logger: Logger;
  /** Receives each envelope addressed to this replica, and broadcasts. */
  readonly receive: (envelope: RelayEnvelope) => void;
}

/**
 * One handler's tie to a relay: listens for envelopes, broadcasts the end of each session this
 * replica ends (of the handler's kind), and reports relay failures as warnings instead of
 * failing requests (a relay that cannot carry a message leaves the replica to serve it alone).
 */
export class RelayLink {
  readonly relay: SessionRelay;
  readonly #logger: Logger;
  readonly #unlisten: Promise<(() => void) | undefined>;
  readonly #offEnded: () => void;

  constructor(options: RelayLinkOptions) {
    const { relay, sessions, kind, receive } = options;
    this.relay = relay;
    this.#logger = options.logger;
    this.#unlisten = relay.listen(receive).catch((error: unknown) => {
      this.warn('could not listen on the relay', undefined, error);
      return undefined;
    });
    this.#offEnded = sessions.on('ended', (info) => {
      if (info.session !== undefined && info.session.kind !== kind) return;
      relay.broadcast({ type: 'ended', sessionId: info.id }).catch((error: unknown) => {
        this.warn('could not broadcast the end of a session', info.id, error);
      });
    });
  }

  /** Resolves once envelopes are delivered (or listening failed, which was logged). */
  async ready(): Promise<void> {
    await this.#unlisten;
  }

  /**
   * Sends `envelope` to replica `to`; answers `false` when it is gone or the relay failed
   * (logged).
   */
  async send(to: string, envelope: RelayEnvelope): Promise<boolean> {
    try {
      return await this.relay.send(to, envelope);
    } catch (error) {
      this.warn('could not relay a message', envelope.sessionId, error);
      return false;
    }
  }

  /** The replica holding the stream of `sessionId`, other than this one; `undefined` if none. */
  async holderElsewhere(sessionId: string): Promise<string | undefined> {
    try {
      const holder = await this.relay.streamHolder(sessionId);
      return holder === this.relay.replicaId ? undefined : holder;
    } catch (error) {
      this.warn('could not look up the holder of a stream', sessionId, error);
      return undefined;
    }
  }

  /**
   * Records that this replica holds the stream of `sessionId`; resolves once recorded. Failures
   * are logged, never thrown.
   */
  hold(sessionId: string): Promise<void> {
    return this.relay.holdStream(sessionId).catch((error: unknown) => {
      this.warn('could not record a stream held here', sessionId, error);
    });
  }

  /** Drops this replica's record of the stream of `sessionId`; failures are logged. */
  release(sessionId: string): void {
    this.relay.releaseStream(sessionId).catch((error: unknown) => {
      this.warn('could not drop the record of a stream held here', sessionId, error);
    });
  }

  /** Stops listening and broadcasting ends. The relay itself stays open (its owner closes it). */
  async close(): Promise<void> {
    this.#offEnded();
    (await this.#unlisten)?.();
  }

  /** Logs a relay failure as a warning (session ID masked). */
  warn(what: string, sessionId: string | undefined, error: unknown): void {
    this.#logger.warn?.(`mcp-sessions: ${what}`, {
      ...(sessionId === undefined ? {} : { session: maskSessionId(sessionId) }),
      error,
    });
  }
}

/** `value` (an `authInfo`) as plain JSON, as envelopes carry it; `undefined` stays `undefined`. */
export function toJson(value: unknown): JsonValue | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as JsonValue);
}
