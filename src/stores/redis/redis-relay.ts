import { errorMessage, SessionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RelayEnvelope, RelayListener, SessionRelay } from '../../core/relay.js';
import { assertValidSessionId } from '../../core/session-id.js';
import { redisConnection } from './client-adapter.js';
import { type RedisConnection, TimedConnection } from './connection.js';
import { KeyLayout } from './keys.js';
import { isReplicaId, type RedisRelayOptions, resolveRedisRelayOptions } from './relay-options.js';
import { decodeWireMessage, encodeWireMessage } from './relay-wire.js';
import { StreamHolds } from './stream-holds.js';
import { type RedisSubscriberLike, type Subscription, subscribeChannels } from './subscriber.js';

/**
 * A {@link SessionRelay} over Redis Pub/Sub, for a fleet of replicas sharing one Redis (and a
 * `RedisStore` on the same prefix).
 *
 * Each replica subscribes once, to two channels: its own address, `<prefix>relay:r:<replicaId>`,
 * and the broadcast, `<prefix>relay:all`; never one per session. Messages are JSON carrying the
 * sender's replica ID, so a broadcast skips its sender. A message that is not a valid envelope is
 * dropped with a `warn`; a listener that throws is logged (`error`) and the others still run.
 * Pub/Sub delivers at most once: a message to a replica that is down or reconnecting is lost,
 * and {@link RedisRelay.send} answers `false` when no replica listens at the address.
 *
 * On Redis Cluster (a node-redis `createCluster()` or ioredis `Cluster` client and subscriber) the
 * channels are sharded: `SSUBSCRIBE` and `SPUBLISH` on the master of the prefix's slot, so the
 * receiver count `send` answers from covers every replica (a plain `PUBLISH` counts only the
 * node it reached).
 *
 * Stream holders are `<prefix>stream:<sessionId>` strings naming the replica, with a TTL of
 * `holdTtlMs` renewed every third of it, so a crashed replica's records lapse on their own.
 *
 * Both clients are borrowed: the relay never connects, configures or closes them.
 * Failures reject with `SessionError('STORE_UNAVAILABLE')`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisRelay } from 'mcp-sessions/redis';
 *
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const subscriber = await client.duplicate().connect();
 * const relay = new RedisRelay({ client, subscriber });
 * ```
 */
export class RedisRelay implements SessionRelay {
  /** This replica's address: the `replicaId` option, or a random 12-character one. */
  readonly replicaId: string;

  readonly #connection: TimedConnection;
  readonly #subscriber: RedisSubscriberLike;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #keys: KeyLayout;
  readonly #ownChannel: string;
  readonly #broadcastChannel: string;
  readonly #holds: StreamHolds;
  /** `SPUBLISH` on a cluster (the channels are sharded there), `PUBLISH` otherwise. */
  readonly #publishCommand: string;
  readonly #listeners = new Set<RelayListener>();
  #subscription: Promise<Subscription> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * @throws SessionError `INVALID_OPTION` when an option is out of range (see
   * {@link RedisRelayOptions}), or `subscriber` is `client` itself or of the other library.
   */
  constructor(options: RedisRelayOptions) {
    const o = resolveRedisRelayOptions(options);
    const connection: RedisConnection = redisConnection(o.client);
    this.replicaId = o.replicaId;
    this.#connection = new TimedConnection(connection, o.commandTimeoutMs);
    this.#publishCommand = this.#connection.cluster ? 'SPUBLISH' : 'PUBLISH';
    this.#subscriber = o.subscriber;
    this.#timeoutMs = o.commandTimeoutMs;
    this.#logger = o.logger;
    const keys = new KeyLayout(o.prefix);
    this.#keys = keys;
    this.#ownChannel = keys.replicaChannel(o.replicaId);
    this.#broadcastChannel = keys.broadcastChannel;
    this.#holds = new StreamHolds(this.#connection, keys, o.replicaId, o.holdTtlMs, o.logger);
  }

  /**
   * Registers `listener`; the first call subscribes this replica's two channels and every call
   * resolves once that subscription is confirmed. A failed subscription is tried again by the
   * next call.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis does not confirm the subscription within
   * `commandTimeoutMs`; `CLOSED` after {@link RedisRelay.close}.
   */
  async listen(listener: RelayListener): Promise<() => void> {
    if (this.#closing !== undefined) throw closed();
    this.#listeners.add(listener);
    try {
      await this.#subscribe();
    } catch (error) {
      this.#listeners.delete(listener);
      throw error;
    }
    if (this.#closing !== undefined) throw closed();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Publishes `envelope` to replica `to` (one `PUBLISH`, `SPUBLISH` on a cluster); answers
   * whether a replica listens there.
   * @throws SessionError `INVALID_ARGUMENT` when `to` is no replica ID; `STORE_UNAVAILABLE` when
   * Redis fails or does not answer in time.
   */
  async send(to: string, envelope: RelayEnvelope): Promise<boolean> {
    if (!isReplicaId(to)) {
      throw new SessionError(
        'INVALID_ARGUMENT',
        `Invalid replica ID ${JSON.stringify(String(to).slice(0, 40))}: expected 1 to 32 characters of A-Z, a-z, 0-9, _ and -.`,
      );
    }
    return this.#publish(this.#keys.replicaChannel(to), envelope);
  }

  /**
   * Publishes `envelope` to every replica but this one (one `PUBLISH`).
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails or does not answer in time.
   */
  async broadcast(envelope: RelayEnvelope): Promise<void> {
    await this.#publish(this.#broadcastChannel, envelope);
  }

  /**
   * Records this replica as the holder of the session's stream (one `SET`, replacing any other
   * replica's record) and renews it until released or closed.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails; `CLOSED` after close;
   * `INVALID_SESSION_ID` for a malformed ID.
   */
  async holdStream(sessionId: string): Promise<void> {
    if (this.#closing !== undefined) throw closed();
    assertValidSessionId(sessionId);
    await this.#holds.hold(sessionId);
  }

  /**
   * Stops renewing the session's record and deletes it if it still names this replica (one
   * script: another replica's record survives).
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails (the record then lapses);
   * `INVALID_SESSION_ID` for a malformed ID.
   */
  async releaseStream(sessionId: string): Promise<void> {
    assertValidSessionId(sessionId);
    await this.#holds.release(sessionId);
  }

  /**
   * The replica holding the session's stream (one `GET`), or `undefined`.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails or does not answer in time;
   * `INVALID_SESSION_ID` for a malformed ID.
   */
  async streamHolder(sessionId: string): Promise<string | undefined> {
    assertValidSessionId(sessionId);
    return this.#holds.holder(sessionId);
  }

  /**
   * Renews every stream record this replica holds now, in one round trip; the relay does it by
   * itself every `holdTtlMs / 3`. Records another replica took over are no longer renewed.
   * @throws SessionError `STORE_UNAVAILABLE` when Redis fails or does not answer in time.
   */
  renewHeldStreams(): Promise<void> {
    return this.#holds.renew();
  }

  /**
   * Stops renewing, deletes the stream records still naming this replica and unsubscribes, all
   * best-effort; never closes the clients. Idempotent; never rejects.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#listeners.clear();
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await Promise.all([this.#holds.close(), subscription?.then((s) => s.close()).catch(() => {})]);
  }

  #subscribe(): Promise<Subscription> {
    this.#subscription ??= subscribeChannels(
      this.#subscriber,
      [this.#ownChannel, this.#broadcastChannel],
      this.#deliver,
      this.#timeoutMs,
    ).catch((error: unknown) => {
      this.#subscription = undefined;
      throw error;
    });
    return this.#subscription;
  }

  async #publish(channel: string, envelope: RelayEnvelope): Promise<boolean> {
    const text = encodeWireMessage(this.replicaId, envelope);
    const receivers = await this.#connection.send([this.#publishCommand, channel, text]);
    return Number(receivers) > 0;
  }

  readonly #deliver = (channel: string, text: string): void => {
    const message = decodeWireMessage(text);
    if (message === undefined) {
      this.#logger.warn?.('Dropped a relay message that is not a valid envelope', {
        channel,
        length: text.length,
      });
      return;
    }
    if (channel === this.#broadcastChannel && message.from === this.replicaId) return;
    for (const listener of this.#listeners) {
      try {
        const result: unknown = listener(message.envelope);
        if (result instanceof Promise) result.catch((error) => this.#reportListener(error));
      } catch (error) {
        this.#reportListener(error);
      }
    }
  };

  #reportListener(error: unknown): void {
    this.#logger.error?.('A relay listener threw', { error: errorMessage(error) });
  }
}

function closed(): SessionError {
  return new SessionError('CLOSED', 'The relay was closed.');
}
