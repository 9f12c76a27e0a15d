import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { generateSessionId } from '../../core/session-id.js';
import type { Tombstone } from '../../core/types.js';
import type { HttpAnswer } from '../../protocol.js';
import { sessionNotFound } from '../shared/answers.js';
import { deliverClientMessage, endpointEvent, messageEvent } from './frames.js';
import { KEEP_ALIVE_FRAME } from './keep-alive.js';
import type { StreamSink } from './stream.js';

const encoder = new TextEncoder();

/**
 * The legacy HTTP+SSE server transport over a Web `ReadableStream`: what the SDK's Node-only
 * `SSEServerTransport` does, for the `fetch` door. `start()` announces the endpoint (with the
 * `sessionId` query parameter), `send()` writes `message` events, `handleMessage()` delivers a
 * client message; the stream ends on `close()` or when the client cancels it, and `onclose` fires
 * once either way.
 */
export class WebSseTransport implements Transport, StreamSink {
  readonly sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  readonly #endpoint: string;
  readonly #stream: ReadableStream<Uint8Array>;
  readonly #closeListeners = new Set<() => void>();
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #started = false;
  #closed = false;
  #handedOut = false;
  #answer: HttpAnswer | undefined;

  /**
   * @param endpoint where clients post messages, absolute path or relative to the stream.
   * @param sessionId the ID announced in the `endpoint` event. @default a new random UUID
   */
  constructor(endpoint: string, sessionId: string = generateSessionId()) {
    this.sessionId = sessionId;
    this.#endpoint = endpoint;
    // Counted in bytes with no high-water mark: whatever is queued is what the client has not
    // read yet.
    this.#stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        cancel: () => {
          this.#finish();
        },
      },
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes the `endpoint` event. @throws Error when started twice. */
  async start(): Promise<void> {
    if (this.#started) throw new Error('WebSseTransport already started.');
    this.#started = true;
    this.#write(endpointEvent(this.#endpoint, this.sessionId));
  }

  /** Writes a `message` event. @throws Error `Not connected` once the stream has ended. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error('Not connected');
    this.#write(messageEvent(message));
  }

  /** Delivers a client message. @throws Error (after `onerror`) when it is not JSON-RPC. */
  async handleMessage(message: unknown, extra?: MessageExtraInfo): Promise<void> {
    deliverClientMessage(this, message, extra);
  }

  /** Ends the stream. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#controller?.close();
    } catch {
      // Already cancelled by the client.
    }
    this.#finish();
  }

  onClose(listener: () => void): () => void {
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  /** Bytes queued on the stream that the client has not read yet. */
  get buffered(): number {
    if (this.#closed) return 0;
    return Math.max(0, -(this.#controller?.desiredSize ?? 0));
  }

  keepAlive(): boolean {
    if (this.#closed) return false;
    if (this.#handedOut && this.buffered === 0) this.#write(KEEP_ALIVE_FRAME);
    return true;
  }

  /** Drops the stream and what it queued (the reader sees an error); `onclose` fires. */
  abort(): void {
    if (this.#closed) return;
    try {
      this.#controller?.error(new Error('SSE stream dropped: the client did not read it.'));
    } catch {
      // Already cancelled by the client.
    }
    this.#finish();
  }

  refuse(answer: HttpAnswer): void {
    this.#answer ??= answer;
  }

  ended(tombstone: Tombstone): void {
    if (!this.#handedOut) this.refuse(sessionNotFound(tombstone));
  }

  /**
   * The answer to the `GET`: the refusal or the 404 recorded before it was handed out, else the
   * event stream. Call once.
   */
  response(): Response | HttpAnswer {
    if (this.#answer !== undefined) return this.#answer;
    this.#handedOut = true;
    return new Response(this.#stream, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' },
    });
  }

  #write(frame: string): void {
    try {
      this.#controller?.enqueue(encoder.encode(frame));
    } catch {
      this.#finish();
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const listener of this.#closeListeners) listener();
    this.#closeListeners.clear();
    this.onclose?.();
  }
}
