import { SessionError } from '../core/errors.js';
import {
  isConnectionLoss,
  isModernConnection,
  type RecoverableClient,
  type RecoverableTransport,
  type TransportOf,
} from './client-shape.js';
import {
  type RecoveryOptions,
  type ResolvedRecoveryOptions,
  resolveRecoveryOptions,
} from './options.js';
import type { SessionNotFound } from './session-not-found.js';

/** Builds a fresh, unconnected transport to the server; called once per connection. */
export type TransportFactory<T extends RecoverableTransport = RecoverableTransport> = () =>
  | T
  | Promise<T>;

/** The client methods {@link RecoveringClient} wraps with recovery. */
export type RecoveringMethod =
  | 'callTool'
  | 'listTools'
  | 'listResources'
  | 'listResourceTemplates'
  | 'readResource'
  | 'listPrompts'
  | 'getPrompt'
  | 'complete'
  | 'ping';

/** A method of the SDK client `C`, with recovery around it (`never` when `C` has no such method). */
export type Recovering<C, K extends RecoveringMethod> = C extends {
  [P in K]: (...args: infer A) => infer R;
}
  ? (...args: A) => R
  : never;

/**
 * An SDK `Client` kept on a live session: when a request fails because the server lost the
 * session (a 404 that `recognize` accepts), the client is reconnected over a fresh transport (a
 * new `initialize`, a new session) and the request is sent once more. Requests failing together
 * share one re-initialization; a request is retried at most once, so a second loss surfaces as
 * the SDK's error. Requests still in flight on the lost session when it is replaced are re-sent
 * too, at most once: their session is gone, so their answers cannot arrive.
 *
 * Calls made on {@link RecoveringClient.client} directly use the current session but are not
 * retried. The client's `onclose` fires on every re-initialization.
 *
 * `C` is the SDK client: v1's `Client` (`@modelcontextprotocol/sdk`) or v2's `Client`
 * (`@modelcontextprotocol/client`). A v2 connection that negotiated protocol 2026-07-28 or later
 * has no session to lose: its requests pass through untouched, failures included.
 */
export interface RecoveringClient<C extends RecoverableClient = RecoverableClient> {
  /** The SDK client, connected to the current session. */
  readonly client: C;
  /** The transport of the current connection (a new one after each re-initialization). */
  readonly transport: TransportOf<C>;
  /** The current session ID (`undefined` for a stateless server or a transport without one). */
  readonly sessionId: string | undefined;
  /** True after {@link RecoveringClient.close}. */
  readonly closed: boolean;
  /**
   * Runs `operation` on the client, with recovery: use it for any request the named methods do
   * not cover (`client.request(...)`, `subscribeResource`, ...). `operation` may run twice.
   * Rejects with the operation's error, the re-initialization's error, or `SessionError('CLOSED')`
   * after `close()`.
   */
  run<T>(operation: (client: C) => Promise<T>): Promise<T>;
  /** `client.callTool`, with recovery. */
  callTool: Recovering<C, 'callTool'>;
  /** `client.listTools`, with recovery. */
  listTools: Recovering<C, 'listTools'>;
  /** `client.listResources`, with recovery. */
  listResources: Recovering<C, 'listResources'>;
  /** `client.listResourceTemplates`, with recovery. */
  listResourceTemplates: Recovering<C, 'listResourceTemplates'>;
  /** `client.readResource`, with recovery. */
  readResource: Recovering<C, 'readResource'>;
  /** `client.listPrompts`, with recovery. */
  listPrompts: Recovering<C, 'listPrompts'>;
  /** `client.getPrompt`, with recovery. */
  getPrompt: Recovering<C, 'getPrompt'>;
  /** `client.complete`, with recovery. */
  complete: Recovering<C, 'complete'>;
  /** `client.ping`, with recovery. */
  ping: Recovering<C, 'ping'>;
  /**
   * Closes the client and its transport (the GET stream, reconnection timers), after any
   * re-initialization in progress. Does not end the session on the server: call
   * `terminateSession()` on a Streamable HTTP transport first for that. Idempotent.
   */
  close(): Promise<void>;
}

/** What is known about a lost session until a re-initialization succeeds. */
interface Loss {
  readonly info: SessionNotFound;
  readonly error: unknown;
  readonly previousSessionId: string | undefined;
}

function closedError(): SessionError {
  return new SessionError('CLOSED', 'The recovering client was closed.');
}

class SessionRecoveringClient<C extends RecoverableClient> implements RecoveringClient<C> {
  readonly client: C;
  readonly #newTransport: TransportFactory<TransportOf<C>>;
  readonly #options: ResolvedRecoveryOptions;
  #transport: TransportOf<C>;
  /** Counts successful re-initializations; a request remembers the one it was sent in. */
  #generation = 0;
  #recovery: Promise<void> | undefined;
  /** Set while the connection is down because a re-initialization failed. */
  #loss: Loss | undefined;
  #closed = false;

  constructor(
    client: C,
    transport: TransportOf<C>,
    newTransport: TransportFactory<TransportOf<C>>,
    options: ResolvedRecoveryOptions,
  ) {
    this.client = client;
    this.#transport = transport;
    this.#newTransport = newTransport;
    this.#options = options;
  }

  get transport(): TransportOf<C> {
    return this.#transport;
  }

  get sessionId(): string | undefined {
    return this.#transport.sessionId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async run<T>(operation: (client: C) => Promise<T>): Promise<T> {
    if (isModernConnection(this.client)) return operation(this.client);
    let retried = false;
    for (;;) {
      if (this.#closed) throw closedError();
      await this.#ready();
      if (this.#closed) throw closedError();
      const generation = this.#generation;
      try {
        return await operation(this.client);
      } catch (error) {
        if (retried || this.#closed) throw error;
        const info = this.#options.recognize(error);
        if (info !== undefined) {
          retried = true;
          await this.#recover(generation, info, error);
        } else if (
          isConnectionLoss(error) &&
          (generation !== this.#generation || this.#recovery !== undefined)
        ) {
          retried = true;
        } else {
          throw error;
        }
      }
    }
  }

  callTool: Recovering<C, 'callTool'> = this.#recovering('callTool');
  listTools: Recovering<C, 'listTools'> = this.#recovering('listTools');
  listResources: Recovering<C, 'listResources'> = this.#recovering('listResources');
  listResourceTemplates: Recovering<C, 'listResourceTemplates'> =
    this.#recovering('listResourceTemplates');
  readResource: Recovering<C, 'readResource'> = this.#recovering('readResource');
  listPrompts: Recovering<C, 'listPrompts'> = this.#recovering('listPrompts');
  getPrompt: Recovering<C, 'getPrompt'> = this.#recovering('getPrompt');
  complete: Recovering<C, 'complete'> = this.#recovering('complete');
  ping: Recovering<C, 'ping'> = this.#recovering('ping');

  /** `client[method]`, run with recovery. */
  #recovering<K extends RecoveringMethod>(method: K): Recovering<C, K> {
    const call = (...args: unknown[]) =>
      this.run((client) =>
        (client as unknown as Record<K, (...a: unknown[]) => Promise<unknown>>)[method](...args),
      );
    return call as Recovering<C, K>;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#recovery?.catch(() => undefined);
    await this.client.close();
  }

  /** Waits for a re-initialization in progress (rejecting with its error), or retries a failed one. */
  async #ready(): Promise<void> {
    if (this.#recovery !== undefined) return this.#recovery;
    if (this.#loss !== undefined)
      return this.#recover(this.#generation, this.#loss.info, this.#loss.error);
  }

  /**
   * Re-initializes once for the connection of `generation`: joins one in progress, and does
   * nothing when that connection was already replaced.
   */
  #recover(generation: number, info: SessionNotFound, error: unknown): Promise<void> {
    if (this.#recovery !== undefined) return this.#recovery;
    if (generation !== this.#generation) return Promise.resolve();
    const loss = this.#loss ?? { info, error, previousSessionId: this.#transport.sessionId };
    const recovery = this.#reinitialize(loss).finally(() => {
      this.#recovery = undefined;
    });
    this.#recovery = recovery;
    return recovery;
  }

  async #reinitialize(loss: Loss): Promise<void> {
    this.#loss = loss;
    await this.client.close();
    const transport = await this.#newTransport();
    this.#transport = transport;
    await this.client.connect(transport);
    this.#generation += 1;
    this.#loss = undefined;
    this.#report({
      ...loss.info,
      previousSessionId: loss.previousSessionId,
      sessionId: transport.sessionId,
      error: loss.error,
    });
  }

  #report(event: Parameters<NonNullable<RecoveryOptions['onRecover']>>[0]): void {
    const { onRecover, logger } = this.#options;
    if (onRecover === undefined) return;
    const fail = (failure: unknown) => logger?.error?.('onRecover failed', { error: failure });
    try {
      const result = onRecover(event);
      if (result instanceof Promise) result.catch(fail);
    } catch (failure) {
      fail(failure);
    }
  }
}

/**
 * Connects `client` over `newTransport()` and keeps it on a live session: see
 * {@link RecoveringClient}. `newTransport` is called again for every re-initialization and must
 * return a fresh transport each time (for Streamable HTTP:
 * `() => new StreamableHTTPClientTransport(url, options)`, without a `sessionId`). Works the
 * same with SDK v1's and SDK v2's `Client` and transports; a v2 connection that negotiated
 * protocol 2026-07-28 or later is passed through untouched.
 *
 * @example
 * ```ts
 * const mcp = await connectWithRecovery(
 *   new Client({ name: 'app', version: '1.0.0' }),
 *   () => new StreamableHTTPClientTransport(new URL('http://127.0.0.1:3000/mcp')),
 *   { onRecover: (e) => console.warn(`session ${e.previousSessionId} lost (${e.code}, ${e.reason})`) },
 * );
 * const result = await mcp.callTool({ name: 'echo', arguments: { text: 'hi' } });
 * ```
 *
 * @throws SessionError `INVALID_ARGUMENT` when `client` is not an SDK client or is already
 *   connected, or `newTransport` is not a function; `INVALID_OPTION` for a bad option. The
 *   first connection's failure rejects as the SDK reports it.
 */
export async function connectWithRecovery<C extends RecoverableClient>(
  client: C,
  newTransport: TransportFactory<TransportOf<C>>,
  options: RecoveryOptions = {},
): Promise<RecoveringClient<C>> {
  const resolved = resolveRecoveryOptions(options);
  if (typeof (client as Partial<RecoverableClient> | null)?.connect !== 'function') {
    throw new SessionError('INVALID_ARGUMENT', 'connectWithRecovery needs an SDK Client.');
  }
  if (client.transport !== undefined) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      'connectWithRecovery needs a Client that is not connected yet; it connects it itself.',
    );
  }
  if (typeof newTransport !== 'function') {
    throw new SessionError(
      'INVALID_ARGUMENT',
      'connectWithRecovery needs a function that returns a new transport.',
    );
  }
  const transport = await newTransport();
  await client.connect(transport);
  return new SessionRecoveringClient(client, transport, newTransport, resolved);
}
