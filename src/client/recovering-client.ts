import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { SessionError } from '../core/errors.js';
import { REQUEST_ERROR_RPC_CODE } from '../protocol.js';
import {
  type RecoveryOptions,
  type ResolvedRecoveryOptions,
  resolveRecoveryOptions,
} from './options.js';
import type { SessionNotFound } from './session-not-found.js';

/** Builds a fresh, unconnected transport to the server; called once per connection. */
export type TransportFactory = () => Transport | Promise<Transport>;

/** A method of the SDK `Client`, with recovery around it. */
type Recovering<
  K extends
    | 'callTool'
    | 'listTools'
    | 'listResources'
    | 'listResourceTemplates'
    | 'readResource'
    | 'listPrompts'
    | 'getPrompt'
    | 'complete'
    | 'ping',
> = (...args: Parameters<Client[K]>) => ReturnType<Client[K]>;

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
 */
export interface RecoveringClient {
  /** The SDK client, connected to the current session. */
  readonly client: Client;
  /** The transport of the current connection (a new one after each re-initialization). */
  readonly transport: Transport;
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
  run<T>(operation: (client: Client) => Promise<T>): Promise<T>;
  /** `client.callTool`, with recovery. */
  callTool: Recovering<'callTool'>;
  /** `client.listTools`, with recovery. */
  listTools: Recovering<'listTools'>;
  /** `client.listResources`, with recovery. */
  listResources: Recovering<'listResources'>;
  /** `client.listResourceTemplates`, with recovery. */
  listResourceTemplates: Recovering<'listResourceTemplates'>;
  /** `client.readResource`, with recovery. */
  readResource: Recovering<'readResource'>;
  /** `client.listPrompts`, with recovery. */
  listPrompts: Recovering<'listPrompts'>;
  /** `client.getPrompt`, with recovery. */
  getPrompt: Recovering<'getPrompt'>;
  /** `client.complete`, with recovery. */
  complete: Recovering<'complete'>;
  /** `client.ping`, with recovery. */
  ping: Recovering<'ping'>;
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

/**
 * True for the SDK's rejections of requests whose connection was closed under them (the
 * re-initialization closes the old connection) or that were sent while it was down.
 */
function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.message === 'Not connected') return true;
  return (
    (error as { code?: unknown }).code === REQUEST_ERROR_RPC_CODE &&
    error.message.endsWith('Connection closed')
  );
}

function closedError(): SessionError {
  return new SessionError('CLOSED', 'The recovering client was closed.');
}

class SessionRecoveringClient implements RecoveringClient {
  readonly client: Client;
  readonly #newTransport: TransportFactory;
  readonly #options: ResolvedRecoveryOptions;
  #transport: Transport;
  /** Counts successful re-initializations; a request remembers the one it was sent in. */
  #generation = 0;
  #recovery: Promise<void> | undefined;
  /** Set while the connection is down because a re-initialization failed. */
  #loss: Loss | undefined;
  #closed = false;

  constructor(
    client: Client,
    transport: Transport,
    newTransport: TransportFactory,
    options: ResolvedRecoveryOptions,
  ) {
    this.client = client;
    this.#transport = transport;
    this.#newTransport = newTransport;
    this.#options = options;
  }

  get transport(): Transport {
    return this.#transport;
  }

  get sessionId(): string | undefined {
    return this.#transport.sessionId;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async run<T>(operation: (client: Client) => Promise<T>): Promise<T> {
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

  callTool: Recovering<'callTool'> = (...args) => this.run((c) => c.callTool(...args));
  listTools: Recovering<'listTools'> = (...args) => this.run((c) => c.listTools(...args));
  listResources: Recovering<'listResources'> = (...args) =>
    this.run((c) => c.listResources(...args));
  listResourceTemplates: Recovering<'listResourceTemplates'> = (...args) =>
    this.run((c) => c.listResourceTemplates(...args));
  readResource: Recovering<'readResource'> = (...args) => this.run((c) => c.readResource(...args));
  listPrompts: Recovering<'listPrompts'> = (...args) => this.run((c) => c.listPrompts(...args));
  getPrompt: Recovering<'getPrompt'> = (...args) => this.run((c) => c.getPrompt(...args));
  complete: Recovering<'complete'> = (...args) => this.run((c) => c.complete(...args));
  ping: Recovering<'ping'> = (...args) => this.run((c) => c.ping(...args));

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
 * `() => new StreamableHTTPClientTransport(url, options)`, without a `sessionId`).
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
export async function connectWithRecovery(
  client: Client,
  newTransport: TransportFactory,
  options: RecoveryOptions = {},
): Promise<RecoveringClient> {
  const resolved = resolveRecoveryOptions(options);
  if (typeof (client as Partial<Client> | null)?.connect !== 'function') {
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
