import { randomBytes } from 'node:crypto';
import { errorMessage, SessionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { redisConnection } from './client-adapter.js';
import { TimedConnection } from './connection.js';
import {
  type RedisServerEventBusOptions,
  resolveRedisServerEventBusOptions,
} from './event-bus-options.js';
import { KeyLayout } from './keys.js';
import {
  assertServerEvent,
  decodeBusMessage,
  encodeBusMessage,
  type ServerEventBusLike,
  type ServerEventLike,
} from './server-event.js';
import { type RedisSubscriberLike, type Subscription, subscribeChannels } from './subscriber.js';

type Listener = (event: ServerEventLike) => void;

/**
 * SDK v2's `ServerEventBus` over Redis Pub/Sub: pass it as `createMcpHandler(factory, { bus })`
 * on every replica, and a change published on any replica (`handler.notify.toolsChanged()` and
 * friends) reaches the `subscriptions/listen` streams of every replica.
 *
 * `publish` delivers to this bus's own listeners at once, synchronously (as SDK v2's in-memory
 * bus does), and sends the event to the other buses with one `PUBLISH` on `<prefix>bus`; each
 * bus skips its own messages on the way back. A listener that publishes from inside its own
 * dispatch does not get its event back. The bus subscribes the channel once, on the first
 * {@link RedisServerEventBus.subscribe} or {@link RedisServerEventBus.ready}.
 *
 * Nothing throws out of `publish` or `subscribe` for Redis' sake: a failed `PUBLISH` or
 * subscription is logged (`error`) and local delivery still happens; a failed subscription is
 * tried again by the next `subscribe`. A listener that throws is logged and the others still
 * run; a message that is not an event is dropped with a `warn`. Pub/Sub delivers at most once:
 * a replica disconnected from Redis misses what was published meanwhile.
 *
 * On Redis Cluster (cluster clients of either library) the channel is sharded: `SSUBSCRIBE` and
 * `SPUBLISH` on the master of the prefix's slot.
 *
 * Make one bus per process and prefix, and share it among the process's handlers (as SDK v2
 * allows); its subscriber connection may be the `RedisRelay`'s. Typed by shape
 * ({@link ServerEventBusLike}): this entry loads no SDK.
 *
 * @example
 * ```ts
 * import { createMcpHandler } from '@modelcontextprotocol/server';
 * import { createClient } from 'redis';
 * import { RedisServerEventBus } from 'mcp-sessions/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const subscriber = await client.duplicate().connect();
 * const bus = new RedisServerEventBus({ client, subscriber });
 * const handler = createMcpHandler(buildServer, { bus });
 * handler.notify.toolsChanged(); // reaches listeners on every replica
 * ```
 */
export class RedisServerEventBus implements ServerEventBusLike {
  /** This bus's ID on the channel: a random 12-character string. */
  readonly busId = randomBytes(9).toString('base64url');

  readonly #connection: TimedConnection;
  readonly #subscriber: RedisSubscriberLike;
  readonly #channel: string;
  /** `SPUBLISH` on a cluster (the channel is sharded there), `PUBLISH` otherwise. */
  readonly #publish: string;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #listeners = new Set<Listener>();
  /** The listener running now, while this bus dispatches an event. */
  #dispatching: Listener | undefined;
  #subscription: Promise<Subscription> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * @throws SessionError `INVALID_OPTION` when an option is out of range (see
   * {@link RedisServerEventBusOptions}), or `subscriber` is `client` itself or of the other
   * library.
   */
  constructor(options: RedisServerEventBusOptions) {
    const o = resolveRedisServerEventBusOptions(options);
    const connection = redisConnection(o.client);
    this.#connection = new TimedConnection(connection, o.commandTimeoutMs);
    this.#subscriber = o.subscriber;
    this.#channel = new KeyLayout(o.prefix).eventBusChannel;
    this.#publish = this.#connection.cluster ? 'SPUBLISH' : 'PUBLISH';
    this.#timeoutMs = o.commandTimeoutMs;
    this.#logger = o.logger;
  }

  /**
   * Delivers `event` to this bus's listeners now (all but the one publishing, when called from
   * inside a listener) and to every other bus on the prefix through one `PUBLISH`, whose
   * failure is logged. Does nothing after {@link RedisServerEventBus.close}.
   * @throws SessionError `INVALID_ARGUMENT` when `event` is not a server event.
   */
  publish(event: ServerEventLike): void {
    assertServerEvent(event);
    if (this.#closing !== undefined) return;
    this.#dispatch(event, this.#dispatching);
    this.#connection
      .send([this.#publish, this.#channel, encodeBusMessage(this.busId, event)])
      .catch((error: unknown) => {
        this.#logger.error?.('Publishing a server event on Redis failed', {
          kind: event.kind,
          error: errorMessage(error),
        });
      });
  }

  /**
   * Registers `listener` for events published on any bus of the prefix; the first call
   * subscribes the channel (a failure is logged and tried again by the next call). Answers an
   * idempotent unsubscribe function. After {@link RedisServerEventBus.close}, registers nothing.
   */
  subscribe(listener: Listener): () => void {
    if (this.#closing !== undefined) return () => {};
    this.#listeners.add(listener);
    this.#subscribe().catch(() => {});
    let live = true;
    return () => {
      if (!live) return;
      live = false;
      this.#listeners.delete(listener);
    };
  }

  /**
   * Resolves once the channel subscription is confirmed (subscribing if no listener did yet), so
   * events other replicas publish from then on arrive.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis does not confirm within
   * `commandTimeoutMs`; `CLOSED` after {@link RedisServerEventBus.close}.
   */
  async ready(): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    await this.#subscribe();
  }

  /** Forgets the listeners and unsubscribes, best-effort; never closes the clients. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#listeners.clear();
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.then((s) => s.close()).catch(() => {});
  }

  #subscribe(): Promise<Subscription> {
    this.#subscription ??= subscribeChannels(
      this.#subscriber,
      [this.#channel],
      this.#receive,
      this.#timeoutMs,
    ).catch((error: unknown) => {
      this.#subscription = undefined;
      this.#logger.error?.('Subscribing the server event bus on Redis failed', {
        error: errorMessage(error),
      });
      throw error;
    });
    return this.#subscription;
  }

  readonly #receive = (channel: string, text: string): void => {
    const message = decodeBusMessage(text);
    if (message === undefined) {
      this.#logger.warn?.('Dropped a bus message that is not a server event', {
        channel,
        length: text.length,
      });
      return;
    }
    if (message.from === this.busId || this.#closing !== undefined) return;
    this.#dispatch(message.event, undefined);
  };

  /** Runs every listener but `skip` on `event`; a throw is logged and the others still run. */
  #dispatch(event: ServerEventLike, skip: Listener | undefined): void {
    const outer = this.#dispatching;
    try {
      for (const listener of this.#listeners) {
        if (listener === skip) continue;
        this.#dispatching = listener;
        try {
          listener(event);
        } catch (error) {
          this.#logger.error?.('A server event listener threw', {
            kind: event.kind,
            error: errorMessage(error),
          });
        }
      }
    } finally {
      this.#dispatching = outer;
    }
  }
}

function closedError(): SessionError {
  return new SessionError('CLOSED', 'The server event bus was closed.');
}
