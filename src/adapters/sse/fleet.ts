import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { noop } from '../../core/functions.js';
import type { Logger } from '../../core/logger.js';
import type { RelayEnvelope, SessionRelay } from '../../core/relay.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { JsonValue } from '../../core/types.js';
import { RelayLink, toJson } from '../shared/relay-link.js';
import { SSE_KIND } from './options.js';

/** What the fleet needs of a session's stream held here. */
export interface RelayedStream {
  readonly transport: {
    handleMessage(message: unknown, extra?: MessageExtraInfo): Promise<void>;
  };
  readonly streamOpen: boolean;
}

/** Options of {@link SseFleet}. */
export interface SseFleetOptions {
  readonly relay: SessionRelay;
  readonly sessions: SessionManager;
  readonly logger: Logger;
  /** The session `id` whose stream is held here, if any. */
  readonly find: (id: string) => RelayedStream | undefined;
  /** Lets the session `id` held here go without ending it (its stream ends). */
  readonly dispose: (id: string) => void;
}

/**
 * A legacy SSE handler's part in a fleet: records the streams opened here, forwards a client
 * message posted here for a stream held by another replica, delivers messages forwarded to its
 * streams (with the `authInfo` of the `POST`), and closes its streams of sessions ended
 * elsewhere.
 */
export class SseFleet {
  readonly #link: RelayLink;
  readonly #find: SseFleetOptions['find'];
  readonly #dispose: SseFleetOptions['dispose'];

  constructor(options: SseFleetOptions) {
    this.#find = options.find;
    this.#dispose = options.dispose;
    this.#link = new RelayLink({
      ...options,
      kind: SSE_KIND,
      receive: (envelope) => this.#receive(envelope),
    });
  }

  /**
   * The stream of session `id` opened here: records it, then answers the function to call when
   * it closes. Await it before the stream announces its endpoint, so a client `POST` landing on
   * another replica finds the holder.
   */
  async streamOpened(sessionId: string): Promise<() => void> {
    await this.#link.hold(sessionId);
    return () => this.#link.release(sessionId);
  }

  /** True when `message` is a JSON-RPC message (what a stream's transport accepts). */
  static isMessage(message: unknown): boolean {
    return JSONRPCMessageSchema.safeParse(message).success;
  }

  /**
   * Forwards a client message of session `id` to the replica holding its stream; answers
   * `false` when no other replica holds it, or the holder is gone.
   */
  async forward(
    sessionId: string,
    message: unknown,
    authInfo: AuthInfo | undefined,
  ): Promise<boolean> {
    const holder = await this.#link.holderElsewhere(sessionId);
    if (holder === undefined) return false;
    const envelope: RelayEnvelope =
      authInfo === undefined
        ? { type: 'to-server', sessionId, messages: [message as JsonValue] }
        : {
            type: 'to-server',
            sessionId,
            messages: [message as JsonValue],
            authInfo: toJson(authInfo),
          };
    return this.#link.send(holder, envelope);
  }

  /** Stops listening; the relay stays open. */
  close(): Promise<void> {
    return this.#link.close();
  }

  #receive(envelope: RelayEnvelope): void {
    const id = envelope.sessionId;
    const stream = this.#find(id);
    if (stream === undefined) return;
    if (envelope.type === 'ended') {
      this.#dispose(id);
    } else if (envelope.type === 'to-server' && stream.streamOpen) {
      const extra: MessageExtraInfo =
        envelope.authInfo === undefined
          ? {}
          : { authInfo: envelope.authInfo as unknown as AuthInfo };
      for (const message of envelope.messages) {
        stream.transport.handleMessage(message, extra).catch(noop);
      }
    }
  }
}
