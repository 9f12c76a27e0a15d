import type { WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { SessionRecord } from '../../core/types.js';
import { parseOptions } from '../../core/validate.js';
import {
  DEFAULT_KEEP_ALIVE_MS,
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  DEFAULT_RETRY_AFTER_SECONDS,
  HANDLER_ACCEPTED,
  handlerFields,
} from '../http/options.js';
import { ownerFromAuth, type RequestOwner } from '../http/owner.js';
import type { ServerFactory } from '../http/server.js';

/**
 * Derives the session owner of a Streamable HTTP request from its `authInfo` and the Web
 * `Request`. Sessions answer only to their owner; another owner's session answers 404
 * `SESSION_NOT_FOUND`. `undefined`: no owner. A throw fails the request.
 */
export type OwnerOf = RequestOwner<Request>;

/** SDK transport options passed through unchanged to each session's transport. */
export type TransportExtras = Pick<
  WebStandardStreamableHTTPServerTransportOptions,
  | 'enableJsonResponse'
  | 'eventStore'
  | 'allowedHosts'
  | 'allowedOrigins'
  | 'enableDnsRebindingProtection'
  | 'retryInterval'
>;

/** Options of {@link StreamableHttpHandler}. */
export interface StreamableHttpHandlerOptions {
  /** The session manager: TTLs, capacity, store. Required. */
  sessions: SessionManager;
  /** Builds one server per session, given the session's record. Required. */
  createServer: ServerFactory;
  /**
   * The owner of a request's session.
   * @default `authInfo?.clientId` when a non-empty string (`req.auth` on node, set by the SDK's auth middleware), else none
   */
  ownerOf?: OwnerOf;
  /**
   * Interval of `: keepalive` comment frames on open event streams (GET streams and streamed
   * POST answers), so proxies do not cut idle connections. `0`: none. @default 15_000
   */
  keepAliveMs?: number;
  /** `Retry-After` of 503 answers (capacity, store unreachable, shutting down), in seconds. @default 5 */
  retryAfterSeconds?: number;
  /** Largest POST body read, in bytes; larger bodies answer 413. @default 4_194_304 (4 MiB) */
  maxRequestBodySize?: number;
  /**
   * Extra SDK transport options per session (`enableJsonResponse`, `eventStore`, DNS rebinding
   * protection, ...). An `eventStore` must key its streams by session: stream IDs are unique
   * per transport only. @default none
   */
  transportOptions?: (session: SessionRecord) => TransportExtras;
  /** Where unexpected failures (answered 500) are reported. @default `console` */
  logger?: Logger;
}

/** Options after defaults. */
export interface ResolvedHandlerOptions {
  readonly sessions: SessionManager;
  readonly createServer: ServerFactory;
  readonly ownerOf: OwnerOf;
  readonly keepAliveMs: number;
  readonly retryAfterSeconds: number;
  readonly maxRequestBodySize: number;
  readonly transportOptions: ((session: SessionRecord) => TransportExtras) | undefined;
  readonly logger: Logger;
}

const schema = z.strictObject({
  ...handlerFields<Request>(),
  transportOptions: z
    .custom<(session: SessionRecord) => TransportExtras>((value) => typeof value === 'function')
    .optional(),
});

const ACCEPTED: Record<string, string> = {
  ...HANDLER_ACCEPTED,
  transportOptions: 'a function (session) => SDK transport options',
};

/** Validates the options once; throws `SessionError('INVALID_OPTION')` naming the field. */
export function resolveHandlerOptions(
  options: StreamableHttpHandlerOptions,
): ResolvedHandlerOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'StreamableHttpHandler');
  return {
    sessions: o.sessions,
    createServer: o.createServer,
    ownerOf: o.ownerOf ?? ownerFromAuth,
    keepAliveMs: o.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
    retryAfterSeconds: o.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    maxRequestBodySize: o.maxRequestBodySize ?? DEFAULT_MAX_REQUEST_BODY_SIZE,
    transportOptions: o.transportOptions,
    logger: o.logger ?? console,
  };
}
