import type { ServerResponse } from 'node:http';
import type { TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Tombstone } from '../../core/types.js';
import type { HttpAnswer } from '../../protocol.js';
import { sessionNotFound } from '../shared/answers.js';
import { writeNodeAnswer } from '../shared/node-bridge.js';
import { KEEP_ALIVE_FRAME } from './keep-alive.js';

/**
 * Where an SSE stream goes, as the session code sees it: a node:http response or a Web
 * `Response` body still to be handed out.
 */
export interface StreamSink {
  /** True once the client went away or the stream ended. */
  readonly closed: boolean;
  /** Calls `listener` once when the stream closes; answers a function that detaches it. */
  onClose(listener: () => void): () => void;
  /** Bytes written to the stream and not yet handed to the client. */
  readonly buffered: number;
  /**
   * Writes {@link KEEP_ALIVE_FRAME} once the stream is open and drained (skipped while data is
   * still waiting for the client); `false` once it has ended.
   */
  keepAlive(): boolean;
  /** Drops the stream at once with what it buffered (the close listeners run). */
  abort(): void;
  /** Answers the stream's request instead of opening the stream (a refusal). */
  refuse(answer: HttpAnswer): void;
  /**
   * The session ended: a stream not open yet answers the 404 of the ended session (clearer than
   * an empty 200); an open one just ends.
   */
  ended(tombstone: Tombstone): void;
}

/** The sink of a node:http response. */
export function nodeSink(res: ServerResponse): StreamSink {
  return {
    get closed() {
      return res.destroyed;
    },
    onClose(listener) {
      res.once('close', listener);
      return () => res.off('close', listener);
    },
    get buffered() {
      return res.writableLength;
    },
    keepAlive() {
      if (res.writableEnded || res.destroyed) return false;
      if (res.headersSent && !res.writableNeedDrain) res.write(KEEP_ALIVE_FRAME);
      return true;
    },
    abort() {
      res.destroy();
    },
    refuse(answer) {
      writeNodeAnswer(res, answer);
    },
    ended(tombstone) {
      if (!res.headersSent) writeNodeAnswer(res, sessionNotFound(tombstone));
      else if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}

/** What {@link boundSends} needs of a transport. */
export interface SendingTransport {
  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
}

/**
 * Makes every `transport.send` look at the stream first: when more than `maxBufferedBytes` written
 * before are still waiting for the client, `overflow` runs and the send fails with `Not
 * connected` instead of writing. So at most the bound plus one message is ever buffered, and a
 * client that reads keeps its stream whatever the size of one message (a write is only counted
 * until the socket takes it).
 */
export function boundSends(
  transport: SendingTransport,
  sink: StreamSink,
  maxBufferedBytes: number,
  overflow: () => void,
): void {
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    if (sink.buffered > maxBufferedBytes) {
      overflow();
      throw new Error('Not connected');
    }
    await send(message, options);
  };
}
