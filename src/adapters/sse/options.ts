import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { z } from 'zod';
import { SessionError } from '../../core/errors.js';
import { parseOptions } from '../../core/validate.js';
import { ownerFromAuth } from './owner.js';

const MAX_TIMER_MS = 2_147_483_647;
const DEFAULT_KEEP_ALIVE_MS = 15_000;
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * An incoming request as the SSE adapter reads it: node:http's, with what auth middleware
 * (`req.auth`), body parsers (`req.body`) and Express (`req.baseUrl`) add.
 */
export type SseRequest = IncomingMessage & {
  auth?: AuthInfo | undefined;
  body?: unknown;
  baseUrl?: string | undefined;
};

/** Answers the principal a request acts for; `undefined`: no owner. */
export type OwnerOf = (req: SseRequest) => string | undefined;

/** What the SSE adapter needs of an `McpServer` or a low-level `Server`. */
export interface SseServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/** What a server factory learns about the session it serves. */
export interface SseServerContext {
  readonly sessionId: string;
  readonly owner: string | undefined;
  /** The `GET` request that opened the stream. */
  readonly req: SseRequest;
}

/** Options of {@link createSseHooks}; every field is optional. */
export interface SseHooksOptions {
  /**
   * Interval, in ms, of the `: keepalive` comment frames written on open SSE streams, so that
   * proxies do not cut idle streams. `0`: none. @default 15_000
   */
  keepAliveMs?: number;
  /**
   * The owner of a request. Sessions are bound to the owner of the request that opened them;
   * another owner's requests answer 404 `SESSION_NOT_FOUND`. A throw fails the request.
   * @default `req.auth?.clientId` (set by the SDK's bearer auth middleware), else none
   */
  ownerOf?: OwnerOf;
  /** `Retry-After` of 503 answers (capacity, store unavailable), in seconds. @default 5 */
  retryAfterSeconds?: number;
}

/** Options of {@link createSseHandler}: those of {@link SseHooksOptions} and these. */
export interface SseHandlerOptions extends SseHooksOptions {
  /**
   * Builds the server of one session (one per session: the SDK's `connect` accepts a single
   * transport). May be async; a throw ends the session and answers 500. Required.
   */
  createServer: (context: SseServerContext) => SseServer | Promise<SseServer>;
  /** Path of the `GET` that opens a stream (relative to the mount point). @default '/sse' */
  ssePath?: string;
  /** Path of the `POST` that carries client messages (relative to the mount point). @default '/messages' */
  messagesPath?: string;
  /**
   * URL announced to clients in the `endpoint` event, absolute path or relative to the stream.
   * @default `req.baseUrl` (Express mount point) + `messagesPath`
   */
  endpoint?: string;
  /** Largest `POST` body read, in bytes; a larger one answers 413. @default 4_194_304 (4 MiB) */
  maxRequestBodySize?: number;
}

/** Hook options after defaults. */
export interface ResolvedSseHooksOptions {
  readonly keepAliveMs: number;
  readonly ownerOf: OwnerOf;
  readonly retryAfterSeconds: number;
}

/** Handler options after defaults. */
export interface ResolvedSseHandlerOptions extends ResolvedSseHooksOptions {
  readonly createServer: SseHandlerOptions['createServer'];
  readonly ssePath: string;
  readonly messagesPath: string;
  readonly endpoint: string | undefined;
  readonly maxRequestBodySize: number;
}

const isFunction = (value: unknown) => typeof value === 'function';
const path = z.string().regex(/^\/[^?#\s]*$/);

const hookFields = {
  keepAliveMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  ownerOf: z.custom<OwnerOf>(isFunction).optional(),
  retryAfterSeconds: z.number().int().min(1).max(86_400).optional(),
};

const hooksSchema = z.strictObject(hookFields);

const handlerSchema = z.strictObject({
  ...hookFields,
  createServer: z.custom<SseHandlerOptions['createServer']>(isFunction),
  ssePath: path.optional(),
  messagesPath: path.optional(),
  endpoint: z.string().min(1).optional(),
  maxRequestBodySize: z
    .number()
    .int()
    .min(1)
    .max(1024 * 1024 * 1024)
    .optional(),
});

const HOOKS_ACCEPTED: Record<string, string> = {
  keepAliveMs: `an integer number of ms from 0 (no keep-alive) to ${MAX_TIMER_MS}`,
  ownerOf: 'a function (req) => string | undefined',
  retryAfterSeconds: 'an integer number of seconds from 1 to 86400',
};

const HANDLER_ACCEPTED: Record<string, string> = {
  ...HOOKS_ACCEPTED,
  createServer:
    'a function ({ sessionId, owner, req }) => McpServer | Server (or a promise of one)',
  ssePath: "a path starting with '/', without query or fragment",
  messagesPath: "a path starting with '/', without query or fragment",
  endpoint: 'a non-empty URL string',
  maxRequestBodySize: 'an integer number of bytes from 1 to 1073741824',
};

/** Validates hook options once; throws `SessionError('INVALID_OPTION')` naming field, value and range. */
export function resolveSseHooksOptions(options: SseHooksOptions = {}): ResolvedSseHooksOptions {
  const o = parseOptions(hooksSchema, HOOKS_ACCEPTED, options, 'SSE hooks');
  return withHookDefaults(o);
}

/** Validates handler options once; throws `SessionError('INVALID_OPTION')` naming field, value and range. */
export function resolveSseHandlerOptions(options: SseHandlerOptions): ResolvedSseHandlerOptions {
  const o = parseOptions(handlerSchema, HANDLER_ACCEPTED, options, 'SSE handler');
  const ssePath = o.ssePath ?? '/sse';
  const messagesPath = o.messagesPath ?? '/messages';
  if (ssePath === messagesPath) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid SSE handler option \`messagesPath\`: expected a path other than ssePath, got ${JSON.stringify(messagesPath)}.`,
    );
  }
  return {
    ...withHookDefaults(o),
    createServer: o.createServer,
    ssePath,
    messagesPath,
    endpoint: o.endpoint,
    maxRequestBodySize: o.maxRequestBodySize ?? DEFAULT_MAX_BODY_BYTES,
  };
}

function withHookDefaults(o: z.output<typeof hooksSchema>): ResolvedSseHooksOptions {
  return {
    keepAliveMs: o.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
    ownerOf: o.ownerOf ?? ownerFromAuth,
    retryAfterSeconds: o.retryAfterSeconds ?? 5,
  };
}
