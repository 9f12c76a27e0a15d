import type { ServerResponse } from 'node:http';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { deliverClientMessage, endpointEvent, messageEvent } from './frames.js';

/**
 * The legacy HTTP+SSE server transport on a node:http response, under a session ID chosen by the
 * caller (the SDK's `SSEServerTransport` fixes its own `randomUUID()`, so the manager's
 * `generateId` could not name its sessions). `start()` writes the `text/event-stream` head and
 * the `endpoint` event, `send()` writes `message` events, `handleMessage()` delivers a client
 * message; `onclose` fires once, when the response closes or on `close()`.
 */
export class NodeSseTransport implements Transport {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  readonly #endpoint: string;
  readonly #res: ServerResponse;
  #started = false;
  #closed = false;

  /**
   * @param endpoint where clients post messages, absolute path or relative to the stream.
   * @param res the response of the `GET` that opens the stream.
   * @param sessionId the ID announced in the `endpoint` event.
   */
  constructor(endpoint: string, res: ServerResponse, sessionId: string) {
    this.#endpoint = endpoint;
    this.#res = res;
    this.sessionId = sessionId;
  }

  /** Writes the head and the `endpoint` event. @throws Error when started twice. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('NodeSseTransport already started.');
    this.#started = true;
    const res = this.#res;
    res.once('close', () => this.#finish());
    if (res.destroyed) return this.#finish();
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    res.write(endpointEvent(this.#endpoint, this.sessionId));
  }

  /** Writes a `message` event. @throws Error `Not connected` before start and once the stream ended. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (!this.#started || this.#closed) throw new Error('Not connected');
    this.#res.write(messageEvent(message));
  }

  /** Delivers a client message. @throws Error (after `onerror`) when it is not JSON-RPC. */
  async handleMessage(message: unknown, extra?: MessageExtraInfo): Promise<void> {
    deliverClientMessage(this, message, extra);
  }

  /** Ends the stream. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const res = this.#res;
    if (res.headersSent && !res.writableEnded && !res.destroyed) res.end();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
