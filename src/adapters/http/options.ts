import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { RequestOwner } from './owner.js';
import type { ServerFactory } from './server.js';

/** Default interval of `: keepalive` comment frames on open event streams, in ms. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;
/** Default `Retry-After` of 503 answers, in seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
/** Default largest request body read, in bytes (4 MiB). */
export const DEFAULT_MAX_REQUEST_BODY_SIZE = 4 * 1024 * 1024;

const MAX_TIMER_MS = 2_147_483_647;
const isFunction = (value: unknown) => typeof value === 'function';

/** Zod fields of the options every gate and handler takes, for requests of type `Req`. */
export function gateFields<Req>() {
  return {
    sessions: z.custom<SessionManager>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        isFunction((value as Record<string, unknown>).acquire) &&
        isFunction((value as Record<string, unknown>).onEnd),
    ),
    ownerOf: z.custom<RequestOwner<Req>>(isFunction).optional(),
    keepAliveMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
    retryAfterSeconds: z.number().int().min(1).max(86_400).optional(),
  };
}

/** Zod fields of the options every complete handler takes: the gate's and these. */
export function handlerFields<Req>() {
  const { sessions, ...rest } = gateFields<Req>();
  return {
    sessions,
    createServer: z.custom<ServerFactory>(isFunction),
    ...rest,
    maxRequestBodySize: z.number().int().min(1).max(1_073_741_824).optional(),
    logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null).optional(),
  };
}

/** What each gate option accepts, for error messages. */
export const GATE_ACCEPTED: Readonly<Record<string, string>> = Object.freeze({
  sessions: 'a SessionManager',
  ownerOf: 'a function (authInfo, request) => string | undefined',
  keepAliveMs: `an integer number of ms from 0 (off) to ${MAX_TIMER_MS}`,
  retryAfterSeconds: 'an integer number of seconds from 1 to 86400',
});

/** What each handler option accepts, for error messages. */
export const HANDLER_ACCEPTED: Readonly<Record<string, string>> = Object.freeze({
  sessions: GATE_ACCEPTED.sessions!,
  createServer: 'a function (session) => McpServer | Server (or a promise of one)',
  ownerOf: GATE_ACCEPTED.ownerOf!,
  keepAliveMs: GATE_ACCEPTED.keepAliveMs!,
  retryAfterSeconds: GATE_ACCEPTED.retryAfterSeconds!,
  maxRequestBodySize: 'an integer number of bytes from 1 to 1073741824',
  logger: 'an object with optional debug/info/warn/error methods',
});
