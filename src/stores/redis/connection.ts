import { errorMessage, SessionError } from '../../core/errors.js';
import { withTimeout } from '../../core/timers.js';

/** What a Redis reply may be once decoded by either client (RESP2 shapes). */
export type Reply = string | number | null | Reply[];

/**
 * The one thing the store needs from a Redis client: send a command, get its reply. Each
 * supported library has an adapter that wraps (never patches) the caller's instance.
 */
export interface RedisConnection {
  /** Sends `[command, ...args]` and answers the reply. */
  send(command: string[]): Promise<unknown>;
  /**
   * Sends `[command, ...args]` to every master of a cluster and answers their replies, for
   * server-wide settings such as `CONFIG GET`. Without it, `send` reaches the one server.
   */
  sendToMasters?(command: string[]): Promise<unknown[]>;
  /** True for a Redis Cluster client (ioredis `Cluster`, node-redis `createCluster()`). */
  readonly cluster?: boolean;
  /**
   * False while the client is known to be disconnected (reconnecting or closed): commands then
   * fail at once instead of waiting in the client's offline queue, from which they would run
   * late, after the caller was told they failed.
   */
  connected(): boolean;
}

/**
 * Sends commands through `connection`, rejecting with `SessionError('STORE_UNAVAILABLE')` when
 * no reply came within `timeoutMs` (a client's offline queue would otherwise hold the caller
 * until Redis returns), and mapping Redis errors to typed ones.
 */
export class TimedConnection {
  readonly #connection: RedisConnection;
  readonly #timeoutMs: number;

  constructor(connection: RedisConnection, timeoutMs: number) {
    this.#connection = connection;
    this.#timeoutMs = timeoutMs;
  }

  /** True for a Redis Cluster client. */
  get cluster(): boolean {
    return this.#connection.cluster === true;
  }

  /** Sends `[command, ...args]`; rejects with a typed error. */
  send(command: string[]): Promise<unknown> {
    return this.#timed(command, () => this.#connection.send(command));
  }

  /** Sends `[command, ...args]` to every master (see {@link RedisConnection.sendToMasters}). */
  sendToMasters(command: string[]): Promise<unknown[]> {
    const connection = this.#connection;
    return this.#timed(command, async () =>
      connection.sendToMasters === undefined
        ? [await connection.send(command)]
        : connection.sendToMasters(command),
    );
  }

  #timed<T>(command: string[], run: () => Promise<T>): Promise<T> {
    const name = command[0] ?? '';
    if (!this.#connection.connected()) {
      return Promise.reject(
        new SessionError('STORE_UNAVAILABLE', `Redis is not connected; ${name} not sent.`),
      );
    }
    return withTimeout(
      async () => {
        try {
          return await run();
        } catch (error) {
          throw toRedisError(error, name);
        }
      },
      this.#timeoutMs,
      () =>
        new SessionError(
          'STORE_UNAVAILABLE',
          `Redis did not answer ${name} within ${this.#timeoutMs} ms.`,
        ),
    );
  }
}

/**
 * `WRONGTYPE` (a key of ours holds another type: foreign or hand-written data) is
 * `STORE_CORRUPT`; anything else (connection refused or closed, `LOADING`, `READONLY`, `OOM`,
 * ...) is `STORE_UNAVAILABLE`. `NOSCRIPT` passes through for the script loader.
 */
export function toRedisError(error: unknown, command: string): unknown {
  if (error instanceof SessionError) return error;
  const message = errorMessage(error);
  if (message.startsWith('NOSCRIPT')) return error;
  if (message.includes('WRONGTYPE')) {
    return new SessionError(
      'STORE_CORRUPT',
      `Redis holds a key of the wrong type under the store's prefix (${command}): ${message}`,
      { cause: error },
    );
  }
  return new SessionError('STORE_UNAVAILABLE', `Redis ${command} failed: ${message}`, {
    cause: error,
  });
}
