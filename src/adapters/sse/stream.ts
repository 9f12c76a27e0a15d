import type { ServerResponse } from 'node:http';
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
  /** Writes {@link KEEP_ALIVE_FRAME} once the stream is open; `false` once it has ended. */
  keepAlive(): boolean;
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
    keepAlive() {
      if (res.writableEnded || res.destroyed) return false;
      if (res.headersSent) res.write(KEEP_ALIVE_FRAME);
      return true;
    },
    refuse(answer) {
      writeNodeAnswer(res, answer);
    },
    ended(tombstone) {
      if (!res.headersSent) writeNodeAnswer(res, sessionNotFound(tombstone));
      else if (!res.writableEnded) res.end();
    },
  };
}
