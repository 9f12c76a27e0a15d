import { REQUEST_ERROR_RPC_CODE } from '../protocol.js';

/**
 * A client transport as recovery sees it. Every Streamable HTTP and SSE client transport of SDK v1
 * (`@modelcontextprotocol/sdk`) and SDK v2 (`@modelcontextprotocol/client`) fits.
 */
export interface RecoverableTransport {
  /** The session the transport is on, once the server assigned one. */
  readonly sessionId?: string | undefined;
}

/**
 * What recovery needs of an SDK client, described by shape so that `mcp-sessions/client` loads
 * neither SDK: the `Client` of SDK v1 (`@modelcontextprotocol/sdk/client/index.js`) and the
 * `Client` of SDK v2 (`@modelcontextprotocol/client`) both fit.
 */
export interface RecoverableClient {
  /** Connects over `transport` and runs the handshake (`initialize`, or v2's `server/discover`). */
  connect(transport: RecoverableTransport): Promise<void>;
  /** Closes the connection and its transport. */
  close(): Promise<void>;
  /** The transport of the current connection; `undefined` while not connected. */
  readonly transport?: unknown;
  /**
   * SDK v2 only: `'modern'` when the connection negotiated protocol 2026-07-28 or later (no
   * protocol sessions, so nothing to recover), `'legacy'` for a 2025-era `initialize`.
   */
  getProtocolEra?(): string | undefined;
}

/** The transport type a client's `connect` accepts. */
export type TransportOf<C extends RecoverableClient> = [C] extends [
  { connect(transport: infer T, ...rest: never[]): Promise<void> },
]
  ? T & RecoverableTransport
  : RecoverableTransport;

/** True when the client's connection negotiated a protocol era without sessions (SDK v2, 2026-07-28+). */
export function isModernConnection(client: RecoverableClient): boolean {
  return typeof client.getProtocolEra === 'function' && client.getProtocolEra() === 'modern';
}

const CONNECTION_LOSS_CODES: ReadonlySet<unknown> = new Set([
  REQUEST_ERROR_RPC_CODE,
  'CONNECTION_CLOSED',
  'NOT_CONNECTED',
]);

/**
 * True for an SDK's rejections of requests whose connection was closed under them (the
 * re-initialization closes the old connection) or that were sent while it was down: v1 reports
 * them with code `-32000` or a bare `Not connected`, v2 with `CONNECTION_CLOSED`/`NOT_CONNECTED`.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.message === 'Not connected') return true;
  const code = (error as { code?: unknown }).code;
  return (
    CONNECTION_LOSS_CODES.has(code) &&
    (error.message.endsWith('Connection closed') || code === 'NOT_CONNECTED')
  );
}
