import type { AuthInfo } from '../shared/auth-info.js';

/**
 * What the Streamable HTTP handler and gate need of an MCP SDK, described by shape so the shared
 * code loads neither SDK v1 (`@modelcontextprotocol/sdk`) nor SDK v2
 * (`@modelcontextprotocol/server`). Each entry binds one SDK: `mcp-sessions/streamable-http`
 * SDK v1, `mcp-sessions/v2` SDK v2.
 *
 * @module
 */

/** A JSON-RPC message as the SDK transports carry it. */
export type RpcMessage = { readonly jsonrpc: '2.0' } & { readonly [key: string]: unknown };

/** The per-request options of the SDK transport's `handleRequest`. */
export interface HandleOptions {
  /** The already parsed body: the transport does not read the request body. */
  parsedBody?: unknown;
  /** The authenticated principal, passed to the server's handlers. */
  authInfo?: AuthInfo;
}

/** What the SDK hands `onmessage` with a message. */
export interface MessageExtra {
  /** The authenticated principal of the request that carried the message. */
  authInfo?: AuthInfo;
}

/** An SDK event store (the `eventStore` option of its Streamable HTTP transport). */
export interface SdkEventStore {
  /** Keeps `message` of stream `streamId`; answers its event ID. */
  storeEvent(streamId: string, message: RpcMessage): Promise<string>;
  /** The stream an event ID belongs to; `undefined` when unknown. */
  getStreamIdForEventId?(eventId: string): Promise<string | undefined>;
  /** Sends the events of `lastEventId`'s stream that follow it; answers that stream's ID. */
  replayEventsAfter(
    lastEventId: string,
    sink: { send: (eventId: string, message: RpcMessage) => Promise<void> },
  ): Promise<string>;
}

/** The SDK transport options the handler sets, plus those passed through from `transportOptions`. */
export interface SdkTransportOptions {
  /** Answers the session's ID (the handler's, registered before the transport exists). */
  sessionIdGenerator: () => string;
  /** Called when the client sends `DELETE`. */
  onsessionclosed?: (sessionId: string) => void | Promise<void>;
  /** Interval of keep-alive comment frames on event streams, in ms; `0`: none. */
  keepAliveMs?: number;
  /** Where the transport keeps events for resumption. */
  eventStore?: SdkEventStore;
  /** Answer requests with JSON rather than an event stream. */
  enableJsonResponse?: boolean;
  /** Host names the transport's DNS rebinding protection accepts. */
  allowedHosts?: string[];
  /** Origins the transport's DNS rebinding protection accepts. */
  allowedOrigins?: string[];
  /** Whether the transport checks `Host` and `Origin`. */
  enableDnsRebindingProtection?: boolean;
  /** The `retry` field of priming events, in ms. */
  retryInterval?: number;
}

/** The SDK's Web-standard Streamable HTTP server transport of one session. */
export interface SdkTransport {
  /** Serves one HTTP request of the session. */
  handleRequest(request: Request, options?: HandleOptions): Promise<Response>;
  /** Sends a message to the client (on a request's stream, or the standalone `GET` stream). */
  send(message: RpcMessage, options?: { relatedRequestId?: string | number }): Promise<void>;
  /** Closes the transport and its streams. */
  close(): Promise<void>;
  /** Set by the handler: the transport closed. */
  onclose?: (() => void) | undefined;
  /** Set by the connected server: a message from the client. */
  onmessage?(message: RpcMessage, extra?: MessageExtra): void;
}

/**
 * The runtime values of one SDK the Streamable HTTP handler and gate use: its Web-standard
 * transport class, its `isInitializeRequest` and the protocol versions its transport serves
 * (answered in `data.supported` of the unsupported-protocol-version error).
 */
export interface StreamableSdk {
  /** The SDK's `WebStandardStreamableHTTPServerTransport`. */
  readonly Transport: new (
    options: SdkTransportOptions,
  ) => SdkTransport;
  /** The SDK's `isInitializeRequest`: whether a parsed body is an `initialize` request. */
  isInitializeRequest(body: unknown): boolean;
  /** The protocol versions the SDK's `initialize` serves (its `SUPPORTED_PROTOCOL_VERSIONS`). */
  readonly supportedVersions: readonly string[];
}
