import { z } from 'zod';
import { SessionError } from '../../core/errors.js';
import { field } from '../../core/option-fields.js';
import {
  type GateOptions,
  type HandlerOptions,
  handlerSchema,
  parseGateOptions,
  parseHandlerOptions,
  type ResolvedGateOptions,
  type ResolvedHandlerOptions,
} from '../shared/options.js';

/** The `kind` recorded for sessions of the legacy HTTP+SSE transport. */
export const SSE_KIND = 'sse';

/**
 * Options of {@link SseGate}. Sessions are bound to the owner of the `GET` that opened them;
 * `keepAliveMs` paces the frames on open SSE streams.
 */
export type SseGateOptions = GateOptions;

/** Options of {@link SseHandler}: those every handler takes and these. */
export interface SseHandlerOptions extends HandlerOptions {
  /** Path of the `GET` that opens a stream (relative to the mount point). @default '/sse' */
  ssePath?: string | undefined;
  /** Path of the `POST` that carries client messages (relative to the mount point). @default '/messages' */
  messagesPath?: string | undefined;
  /**
   * URL announced to clients in the `endpoint` event, absolute path or relative to the stream.
   * @default `req.baseUrl` (Express mount point) + `messagesPath`
   */
  endpoint?: string | undefined;
  /**
   * Most bytes a stream may hold unsent for a client that does not read fast enough, in bytes
   * (from 1 KiB to 1 GiB). A write that leaves more buffered than this drops the stream and ends
   * its session with reason `'closed'`, so one stalled client cannot grow the process without
   * bound: at most this plus one message is ever buffered per stream. Keep-alive frames are
   * skipped while the stream is not drained.
   * @default 1_048_576 (1 MiB)
   */
  maxBufferedBytes?: number | undefined;
  /**
   * Longest time a stream may stay open, in ms (0 to 2^31-1; `0`: unbounded). A stream open
   * longer is ended by the server and, legacy SSE having no resumption, its session with it
   * (reason `'closed'`), on both doors: the client must open a new stream and session, which
   * the SDK's legacy SSE client does not do by itself. Hence unbounded by default; set it when
   * clients reconnect on their own.
   * @default 0 (unbounded)
   */
  maxStreamDurationMs?: number | undefined;
}

/** Handler options after defaults. */
export interface ResolvedSseHandlerOptions extends ResolvedHandlerOptions {
  readonly ssePath: string;
  readonly messagesPath: string;
  readonly endpoint: string | undefined;
  readonly maxBufferedBytes: number;
}

/** Default of {@link SseHandlerOptions.maxBufferedBytes}: 1 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1_048_576;
const MIN_BUFFERED_BYTES = 1024;
const MAX_BUFFERED_BYTES = 1_073_741_824;

const path = z.string().regex(/^\/[^?#\s]*$/);

const HANDLER = handlerSchema({
  ssePath: field(path.optional(), "a path starting with '/', without query or fragment"),
  messagesPath: field(path.optional(), "a path starting with '/', without query or fragment"),
  endpoint: field(z.string().min(1).optional(), 'a non-empty URL string'),
  maxBufferedBytes: field(
    z.number().int().min(MIN_BUFFERED_BYTES).max(MAX_BUFFERED_BYTES).optional(),
    `an integer number of bytes from ${MIN_BUFFERED_BYTES} to ${MAX_BUFFERED_BYTES}`,
  ),
});

/** Validates gate options once; throws `SessionError('INVALID_OPTION')` naming field, value and range. */
export function resolveSseGateOptions(options: SseGateOptions): ResolvedGateOptions {
  return parseGateOptions(options, 'SseGate');
}

/** Validates handler options once; throws `SessionError('INVALID_OPTION')` naming field, value and range. */
export function resolveSseHandlerOptions(options: SseHandlerOptions): ResolvedSseHandlerOptions {
  const o = parseHandlerOptions(HANDLER, options, 'SseHandler', 0);
  const ssePath = o.ssePath ?? '/sse';
  const messagesPath = o.messagesPath ?? '/messages';
  if (ssePath === messagesPath) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid SseHandler option \`messagesPath\`: expected a path other than ssePath, got ${JSON.stringify(messagesPath)}.`,
    );
  }
  return {
    ...o,
    ssePath,
    messagesPath,
    endpoint: o.endpoint,
    maxBufferedBytes: o.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  };
}
