import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { z } from 'zod';
import { SessionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import { parseOptions } from '../../core/validate.js';
import {
  DEFAULT_KEEP_ALIVE_MS,
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  DEFAULT_RETRY_AFTER_SECONDS,
  GATE_ACCEPTED,
  gateFields,
  HANDLER_ACCEPTED,
  handlerFields,
} from '../http/options.js';
import { ownerFromAuth, type RequestOwner } from '../http/owner.js';
import type { ServerFactory } from '../http/server.js';

/**
 * An incoming request as the SSE adapter reads it: node:http's, with what auth middleware
 * (`req.auth`), body parsers (`req.body`) and Express (`req.baseUrl`) add.
 */
export type SseRequest = IncomingMessage & {
  auth?: AuthInfo | undefined;
  body?: unknown;
  baseUrl?: string | undefined;
};

/**
 * Derives the session owner of a legacy SSE request from its `authInfo` (`req.auth`) and the
 * node:http request. Sessions are bound to the owner of the `GET` that opened them; another
 * owner's requests answer 404 `SESSION_NOT_FOUND`. `undefined`: no owner. A throw fails the
 * request.
 */
export type OwnerOf = RequestOwner<SseRequest>;

/** Options of {@link SseGate}. */
export interface SseGateOptions {
  /** The session manager: TTLs, capacity, store. Required. */
  sessions: SessionManager;
  /**
   * The owner of a request's session.
   * @default `authInfo?.clientId` when a non-empty string (`req.auth`, set by the SDK's auth middleware), else none
   */
  ownerOf?: OwnerOf;
  /**
   * Interval of the `: keepalive` comment frames written on open SSE streams, so that proxies
   * do not cut idle streams, in ms. `0`: none. @default 15_000
   */
  keepAliveMs?: number;
  /** `Retry-After` of 503 answers (capacity, store unreachable, shutting down), in seconds. @default 5 */
  retryAfterSeconds?: number;
}

/** Options of {@link SseHandler}: those of {@link SseGateOptions} and these. */
export interface SseHandlerOptions extends SseGateOptions {
  /** Builds one server per session, given the session's record. Required. */
  createServer: ServerFactory;
  /** Path of the `GET` that opens a stream (relative to the mount point). @default '/sse' */
  ssePath?: string;
  /** Path of the `POST` that carries client messages (relative to the mount point). @default '/messages' */
  messagesPath?: string;
  /**
   * URL announced to clients in the `endpoint` event, absolute path or relative to the stream.
   * @default `req.baseUrl` (Express mount point) + `messagesPath`
   */
  endpoint?: string;
  /** Largest `POST` body read, in bytes; larger bodies answer 413. @default 4_194_304 (4 MiB) */
  maxRequestBodySize?: number;
  /** Where unexpected failures (answered 500 when there is no `next`) are reported. @default `console` */
  logger?: Logger;
}

/** Gate options after defaults. */
export interface ResolvedSseGateOptions {
  readonly sessions: SessionManager;
  readonly ownerOf: OwnerOf;
  readonly keepAliveMs: number;
  readonly retryAfterSeconds: number;
}

/** Handler options after defaults. */
export interface ResolvedSseHandlerOptions extends ResolvedSseGateOptions {
  readonly createServer: ServerFactory;
  readonly ssePath: string;
  readonly messagesPath: string;
  readonly endpoint: string | undefined;
  readonly maxRequestBodySize: number;
  readonly logger: Logger;
}

const path = z.string().regex(/^\/[^?#\s]*$/);

const gateSchema = z.strictObject(gateFields<SseRequest>());

const handlerSchema = z.strictObject({
  ...handlerFields<SseRequest>(),
  ssePath: path.optional(),
  messagesPath: path.optional(),
  endpoint: z.string().min(1).optional(),
});

const HANDLER_ACCEPTED_HERE: Record<string, string> = {
  ...HANDLER_ACCEPTED,
  ssePath: "a path starting with '/', without query or fragment",
  messagesPath: "a path starting with '/', without query or fragment",
  endpoint: 'a non-empty URL string',
};

/** Validates gate options once; throws `SessionError('INVALID_OPTION')` naming field, value and range. */
export function resolveSseGateOptions(options: SseGateOptions): ResolvedSseGateOptions {
  const o = parseOptions(gateSchema, GATE_ACCEPTED, options, 'SseGate');
  return {
    sessions: o.sessions,
    ownerOf: o.ownerOf ?? ownerFromAuth,
    keepAliveMs: o.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
    retryAfterSeconds: o.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
  };
}

/** Validates handler options once; throws `SessionError('INVALID_OPTION')` naming field, value and range. */
export function resolveSseHandlerOptions(options: SseHandlerOptions): ResolvedSseHandlerOptions {
  const o = parseOptions(handlerSchema, HANDLER_ACCEPTED_HERE, options, 'SseHandler');
  const ssePath = o.ssePath ?? '/sse';
  const messagesPath = o.messagesPath ?? '/messages';
  if (ssePath === messagesPath) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid SseHandler option \`messagesPath\`: expected a path other than ssePath, got ${JSON.stringify(messagesPath)}.`,
    );
  }
  return {
    sessions: o.sessions,
    ownerOf: o.ownerOf ?? ownerFromAuth,
    keepAliveMs: o.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
    retryAfterSeconds: o.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    createServer: o.createServer,
    ssePath,
    messagesPath,
    endpoint: o.endpoint,
    maxRequestBodySize: o.maxRequestBodySize ?? DEFAULT_MAX_REQUEST_BODY_SIZE,
    logger: o.logger ?? console,
  };
}
