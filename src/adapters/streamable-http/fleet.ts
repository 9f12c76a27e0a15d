import type { Logger } from '../../core/logger.js';
import type { RelayEnvelope, SessionRelay } from '../../core/relay.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { JsonValue } from '../../core/types.js';
import type { AuthInfo } from '../shared/auth-info.js';
import { RelayLink } from '../shared/relay-link.js';
import { FleetEventStore, STANDALONE_STREAM_ID } from './fleet-event-store.js';
import { isResponse, replicaOfResponse, tagOutgoing, untagResponse } from './request-tags.js';
import type { MessageExtra, RpcMessage, SdkEventStore, SdkTransport } from './sdk.js';

type Send = SdkTransport['send'];

/** What the fleet needs of a session's transport held here. */
export interface RelayedSession {
  readonly transport: SdkTransport;
  /** The transport's own `send`, without the fleet's routing (set by {@link StreamableFleet.route}). */
  sendHere: Send | undefined;
}

/** Options of {@link StreamableFleet}. */
export interface StreamableFleetOptions {
  readonly relay: SessionRelay;
  readonly sessions: SessionManager;
  readonly kind: string;
  readonly logger: Logger;
  /** The session `id` held here, if any. */
  readonly find: (id: string) => RelayedSession | undefined;
  /** Lets the session `id` held here go without ending it. */
  readonly dispose: (id: string) => void;
}

/** The client's answers of one `POST`: those for this replica (untagged) and for others. */
export interface SplitAnswers {
  readonly here: unknown[];
  readonly away: ReadonlyMap<string, JsonValue[]>;
}

/**
 * A Streamable HTTP handler's part in a fleet:
 *
 * - tags the ID of each request its servers send the client with this replica, so the client's
 *   answer, landing on any replica, is forwarded to this one ({@link StreamableFleet.split});
 * - sends a message not tied to a client request (which the SDK puts on the standalone `GET`
 *   stream) to the replica holding that stream, when it is not held here; with no holder, or one
 *   that is gone, the message is sent here (an event store keeps it for the client's reconnect);
 * - records which `GET` streams are open here, for the other replicas;
 * - takes envelopes from the relay: answers for its servers, messages for its streams, ends.
 */
export class StreamableFleet {
  readonly #link: RelayLink;
  readonly #replicaId: string;
  readonly #streams = new Map<string, number>();
  readonly #find: StreamableFleetOptions['find'];
  readonly #dispose: StreamableFleetOptions['dispose'];

  constructor(options: StreamableFleetOptions) {
    this.#replicaId = options.relay.replicaId;
    this.#find = options.find;
    this.#dispose = options.dispose;
    this.#link = new RelayLink({ ...options, receive: (envelope) => this.#receive(envelope) });
  }

  /** Resolves once envelopes for this replica are delivered. */
  ready(): Promise<void> {
    return this.#link.ready();
  }

  /**
   * Routes the sends of `session`'s transport through the fleet (before its server connects).
   * Messages tied to a client request go on that request's stream as before, with no relay call.
   */
  route(sessionId: string, session: RelayedSession): void {
    const transport = session.transport;
    const sendHere: Send = transport.send.bind(transport);
    session.sendHere = sendHere;
    transport.send = async (message, options) => {
      const tagged = tagOutgoing(this.#replicaId, message);
      if (options?.relatedRequestId !== undefined || isResponse(tagged)) {
        return sendHere(tagged, options);
      }
      if (!this.#streams.has(sessionId) && (await this.#toStream(sessionId, tagged))) return;
      return sendHere(tagged, options);
    };
  }

  /** A `GET` stream of session `id` opened here; answers the function to call when it closes. */
  streamOpened(sessionId: string): () => void {
    const open = this.#streams.get(sessionId) ?? 0;
    this.#streams.set(sessionId, open + 1);
    if (open === 0) void this.#link.hold(sessionId);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.#streams.get(sessionId) ?? 1) - 1;
      if (left > 0) {
        this.#streams.set(sessionId, left);
        return;
      }
      this.#streams.delete(sessionId);
      this.#link.release(sessionId);
    };
  }

  /**
   * A `GET` of session `id` answered 200 here: when its stream is the session's standalone one
   * (not the resumption of a `POST` stream), records it; answers the function to call when it
   * closes, or `undefined`.
   */
  async getOpened(
    sessionId: string,
    session: { readonly eventStore: SdkEventStore | undefined },
    request: Request,
  ): Promise<(() => void) | undefined> {
    const lastEventId = request.headers.get('last-event-id');
    const store = session.eventStore;
    if (lastEventId !== null && store !== undefined) {
      const standalone =
        store instanceof FleetEventStore
          ? FleetEventStore.resumesStandalone(lastEventId)
          : (await store.getStreamIdForEventId?.(lastEventId)?.catch(() => undefined)) ===
            STANDALONE_STREAM_ID;
      if (!standalone) return undefined;
    }
    return this.streamOpened(sessionId);
  }

  /**
   * When `body` is made only of JSON-RPC responses of which at least one is tagged, those for
   * this replica (untagged) and those for others, by replica; else `undefined` (the body goes to
   * the transport as it is).
   */
  split(body: unknown): SplitAnswers | undefined {
    if (!(Array.isArray(body) ? body.length > 0 && body.every(isResponse) : isResponse(body))) {
      return undefined;
    }
    const messages: unknown[] = Array.isArray(body) ? body : [body];
    let tagged = false;
    const here: unknown[] = [];
    const away = new Map<string, JsonValue[]>();
    for (const message of messages) {
      const replica = replicaOfResponse(message);
      if (replica !== undefined) tagged = true;
      if (replica === undefined || replica === this.#replicaId) here.push(untagResponse(message));
      else {
        const list = away.get(replica);
        if (list === undefined) away.set(replica, [message as JsonValue]);
        else list.push(message as JsonValue);
      }
    }
    return tagged ? { here, away } : undefined;
  }

  /**
   * The client's answers in a `POST` body (`options.parsedBody`): those for other replicas are
   * forwarded, those for this one left in `options.parsedBody`, untagged. Answers `true` when
   * none is left for this replica (the `POST` is answered 202 without a transport here).
   */
  async relayAnswers(sessionId: string, options: { parsedBody?: unknown }): Promise<boolean> {
    const body = options.parsedBody;
    const answers = this.split(body);
    if (answers === undefined) return false;
    await this.forward(sessionId, answers.away);
    if (answers.here.length === 0) return true;
    options.parsedBody = Array.isArray(body) ? answers.here : answers.here[0];
    return false;
  }

  /**
   * Sends the answers of `away` to the replicas whose servers asked. An answer for a replica
   * that is gone is dropped: its request went with it.
   */
  async forward(sessionId: string, away: ReadonlyMap<string, JsonValue[]>): Promise<void> {
    await Promise.all(
      [...away].map(([replica, messages]) =>
        this.#link.send(replica, { type: 'to-server', sessionId, messages }),
      ),
    );
  }

  /** Stops listening; the relay stays open. */
  close(): Promise<void> {
    return this.#link.close();
  }

  async #toStream(sessionId: string, message: RpcMessage): Promise<boolean> {
    const holder = await this.#link.holderElsewhere(sessionId);
    if (holder === undefined) return false;
    return this.#link.send(holder, { type: 'to-stream', sessionId, message: message as JsonValue });
  }

  #receive(envelope: RelayEnvelope): void {
    const id = envelope.sessionId;
    const session = this.#find(id);
    if (session === undefined) return;
    if (envelope.type === 'ended') {
      this.#dispose(id);
    } else if (envelope.type === 'to-stream') {
      const send = session.sendHere ?? session.transport.send.bind(session.transport);
      send(envelope.message as RpcMessage).catch((error: unknown) => {
        this.#link.warn('could not send a relayed message', id, error);
      });
    } else {
      const extra: MessageExtra =
        envelope.authInfo === undefined
          ? {}
          : { authInfo: envelope.authInfo as unknown as AuthInfo };
      for (const message of envelope.messages) {
        session.transport.onmessage?.(untagResponse(message) as RpcMessage, extra);
      }
    }
  }
}
