import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { SessionRecord } from '../../core/types.js';
import { parseOptions } from '../../core/validate.js';

/** What the handler needs of an `McpServer` or a low-level `Server`. */
export interface SessionServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the server of one session: a new `McpServer`/`Server` each time (the SDK connects a
 * server to one transport only). Called at `initialize`, and again on any replica that restores
 * the session from its stored `initialize` request.
 */
export type ServerFactory = (session: SessionRecord) => SessionServer | Promise<SessionServer>;

/**
 * Derives the session owner of a request. Sessions answer only to their owner; another owner's
 * session answers 404 `SESSION_NOT_FOUND`. `undefined`: no owner.
 */
export type OwnerOf = (authInfo: AuthInfo | undefined, request: Request) => string | undefined;

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
  /** Builds one server per session. Required. */
  createServer: ServerFactory;
  /** The owner of a request's session. @default `authInfo?.clientId` (set by the SDK's auth middleware as `req.auth`) */
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

const isFunction = (value: unknown) => typeof value === 'function';

const schema = z.strictObject({
  sessions: z.custom<SessionManager>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      isFunction((value as Record<string, unknown>).acquire) &&
      isFunction((value as Record<string, unknown>).onEnd),
  ),
  createServer: z.custom<ServerFactory>(isFunction),
  ownerOf: z.custom<OwnerOf>(isFunction).optional(),
  keepAliveMs: z.number().int().min(0).max(2_147_483_647).optional(),
  retryAfterSeconds: z.number().int().min(1).max(86_400).optional(),
  maxRequestBodySize: z.number().int().min(1).max(1_073_741_824).optional(),
  transportOptions: z.custom<(session: SessionRecord) => TransportExtras>(isFunction).optional(),
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).optional(),
});

const ACCEPTED: Record<string, string> = {
  sessions: 'a SessionManager',
  createServer: 'a function (session) => McpServer | Server (or a promise of one)',
  ownerOf: 'a function (authInfo, request) => string | undefined',
  keepAliveMs: 'an integer number of ms from 0 (off) to 2147483647',
  retryAfterSeconds: 'an integer number of seconds from 1 to 86400',
  maxRequestBodySize: 'an integer number of bytes from 1 to 1073741824',
  transportOptions: 'a function (session) => SDK transport options',
  logger: 'an object with optional debug/info/warn/error methods',
};

const ownerFromAuth: OwnerOf = (authInfo) => authInfo?.clientId;

/** Validates the options once; throws `SessionError('INVALID_OPTION')` naming the field. */
export function resolveHandlerOptions(
  options: StreamableHttpHandlerOptions,
): ResolvedHandlerOptions {
  const o = parseOptions(schema, ACCEPTED, options, 'StreamableHttpHandler');
  return {
    sessions: o.sessions,
    createServer: o.createServer,
    ownerOf: o.ownerOf ?? ownerFromAuth,
    keepAliveMs: o.keepAliveMs ?? 15_000,
    retryAfterSeconds: o.retryAfterSeconds ?? 5,
    maxRequestBodySize: o.maxRequestBodySize ?? 4 * 1024 * 1024,
    transportOptions: o.transportOptions,
    logger: o.logger ?? console,
  };
}
