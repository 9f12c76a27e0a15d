import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import * as option from '../../core/option-fields.js';
import type { SessionRelay } from '../../core/relay.js';
import type { SessionManager } from '../../core/session-manager.js';
import { hasMethods, isFunction, MAX_TIMER_MS, parseOptions } from '../../core/validate.js';
import type { AuthInfo } from './auth-info.js';
import { defaultOwnerOf, type OwnerOf } from './owner.js';
import { isSessionRelay } from './relay-link.js';
import type { ServerFactory } from './server.js';

/** Per-request options of a handler's `fetch` door. */
export interface WebRequestOptions {
  /**
   * The authenticated principal (what `req.auth` is on node); the default owner is its `clientId`
   * plus `extra.sub`.
   */
  authInfo?: AuthInfo;
  /** The JSON body, when the framework already parsed it (the request body is then not read). */
  parsedBody?: unknown;
  /**
   * The client's network address, counted by the manager's `creationRate.perAddress` when this
   * request creates a session (never stored). A `Request` does not carry it; the server does:
   * Bun `server.requestIP(req)?.address`, Deno `info.remoteAddr.hostname`, Hono `getConnInfo(c)`
   * `.remote.address`. Behind a reverse proxy that is the proxy's address: pass the client's
   * from a header only that proxy sets (never trust `X-Forwarded-For` as the client sent it).
   * 1 to 256 characters, else the creation answers 400. @default none: not limited per address
   */
  clientAddress?: string | undefined;
}

/** Options every gate takes, on both transports. */
export interface GateOptions {
  /** The session manager: TTLs, capacity, store. Required. */
  sessions: SessionManager;
  /**
   * The owner of a request's session; another owner's session answers 404 `SESSION_NOT_FOUND`.
   * @default `authInfo.clientId` plus `authInfo.extra.sub` when both are non-empty strings, the
   *   client ID alone without a subject (warned once), else none
   */
  ownerOf?: OwnerOf | undefined;
  /**
   * Interval of `: keepalive` comment frames on open event streams, so proxies do not cut idle
   * connections, in ms. `0`: none. @default 15_000
   */
  keepAliveMs?: number | undefined;
  /** `Retry-After` of 503 answers (capacity, store unreachable, shutting down), in seconds. @default 5 */
  retryAfterSeconds?: number | undefined;
}

/** Options every complete handler takes, on both transports: the gate's and these. */
export interface HandlerOptions extends GateOptions {
  /** Builds one server per session, given the session's record. Required. */
  createServer: ServerFactory;
  /** Largest `POST` body read, in bytes; larger bodies answer 413. @default 4_194_304 (4 MiB) */
  maxRequestBodySize?: number | undefined;
  /** Where unexpected failures (answered 500) are reported. @default `console` */
  logger?: Logger | undefined;
  /**
   * Longest time an event stream may stay open, in ms (0 to 2^31-1; `0`: unbounded). A stream
   * open longer is ended by the server, on both doors, which releases its pin. Checked about
   * once a second against the manager's clock. What ending it means depends on the transport:
   * see the handler's own default.
   */
  maxStreamDurationMs?: number | undefined;
  /**
   * How long a node-door event stream may have bytes waiting for its client (the socket's
   * `writableNeedDrain`) without a break before it is dropped, in ms (0 to 2^31-1; `0`: never).
   * Finds a peer that stopped reading while the server writes (keep-alive frames, tool output)
   * without waiting for TCP's retransmission timeout (about 15 minutes). Checked about once a
   * second against the manager's clock. The `fetch` doors leave this to their server.
   * @default 60_000 (1 minute)
   */
  writeStallTimeoutMs?: number | undefined;
  /**
   * TCP keep-alive on the socket of a node-door event stream: `socket.setKeepAlive(true, this)`
   * when the stream opens, so a peer gone without closing TCP is found even when nothing is
   * written (`keepAliveMs: 0`); in ms, the idle time before the first probe (0 to 2^31-1; `0`:
   * the socket is left as it is). Probe interval and count are the system's (libuv before 1.48:
   * the OS defaults). The `fetch` doors leave the socket to their server.
   * @default 30_000 (30 s)
   */
  tcpKeepAliveMs?: number | undefined;
  /**
   * Carries messages between the replicas of a fleet sharing one store (e.g. `RedisRelay` from
   * `mcp-sessions/redis`), so any replica serves any message of any session behind a load
   * balancer without sticky routing: the client's answers to server requests reach the replica
   * that asked, messages not tied to a request reach the replica holding the client's stream,
   * and a session's end closes its transports on every replica. The handler listens on it and
   * never closes it: close it after the handler. A relay that fails leaves each replica to serve
   * alone (logged as warnings). @default none: this process serves alone
   */
  relay?: SessionRelay | undefined;
}

/** {@link GateOptions} after defaults. */
export interface ResolvedGateOptions {
  readonly sessions: SessionManager;
  readonly ownerOf: OwnerOf;
  readonly keepAliveMs: number;
  readonly retryAfterSeconds: number;
}

/** {@link HandlerOptions} after defaults. */
export interface ResolvedHandlerOptions extends ResolvedGateOptions {
  readonly createServer: ServerFactory;
  readonly maxRequestBodySize: number;
  readonly logger: Logger;
  readonly maxStreamDurationMs: number;
  readonly writeStallTimeoutMs: number;
  readonly tcpKeepAliveMs: number;
  readonly relay: SessionRelay | undefined;
}

/** Default of {@link HandlerOptions.writeStallTimeoutMs}: 1 minute. */
export const DEFAULT_WRITE_STALL_TIMEOUT_MS = 60_000;
/** Default of {@link HandlerOptions.tcpKeepAliveMs}: 30 s. */
export const DEFAULT_TCP_KEEP_ALIVE_MS = 30_000;

const { field } = option;

/** Whole ms from 0 (off) to the longest timer delay. */
function offOrMs() {
  return field(
    z.number().int().min(0).max(MAX_TIMER_MS).optional(),
    `an integer number of ms from 0 (off) to ${MAX_TIMER_MS}`,
  );
}

const GATE_FIELDS = {
  sessions: field(z.custom<SessionManager>(hasMethods('acquire', 'onEnd')), 'a SessionManager'),
  ownerOf: field(
    z.custom<OwnerOf>(isFunction).optional(),
    'a function (authInfo, request) => string | undefined',
  ),
  keepAliveMs: offOrMs(),
  retryAfterSeconds: field(
    z.number().int().min(1).max(86_400).optional(),
    'an integer number of seconds from 1 to 86400',
  ),
};

const HANDLER_FIELDS = {
  sessions: GATE_FIELDS.sessions,
  createServer: field(
    z.custom<ServerFactory>(isFunction),
    'a function (session) => McpServer | Server (or a promise of one)',
  ),
  ownerOf: GATE_FIELDS.ownerOf,
  keepAliveMs: GATE_FIELDS.keepAliveMs,
  retryAfterSeconds: GATE_FIELDS.retryAfterSeconds,
  maxRequestBodySize: field(
    z.number().int().min(1).max(1_073_741_824).optional(),
    'an integer number of bytes from 1 to 1073741824',
  ),
  logger: option.logger,
  maxStreamDurationMs: offOrMs(),
  writeStallTimeoutMs: offOrMs(),
  tcpKeepAliveMs: offOrMs(),
  relay: field(
    z.custom<SessionRelay>(isSessionRelay).optional(),
    'a SessionRelay (listen, send, broadcast, holdStream, releaseStream, streamHolder) whose replicaId is 1 to 32 characters of [A-Za-z0-9_-]',
  ),
};

const GATE = option.schemaOf(GATE_FIELDS);

/**
 * Validates gate options once and applies their defaults.
 *
 * @param what the class named in error messages, e.g. `SseGate`.
 * @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted.
 */
export function parseGateOptions(options: GateOptions, what: string): ResolvedGateOptions {
  return gateDefaults(parseOptions(GATE.schema, GATE.accepted, options, what));
}

/**
 * The schema and accepted texts of a gate's options: those of {@link GateOptions} and the
 * transport's own `extra` fields.
 */
export function gateSchema<E extends Record<string, option.OptionField<z.ZodType>>>(extra: E) {
  return option.schemaOf({ ...GATE_FIELDS, ...extra });
}

/**
 * Validates gate options once against a {@link gateSchema} and applies the defaults of
 * {@link GateOptions}; the transport's own options come back as given.
 *
 * @param what the class named in error messages, e.g. `StreamableHttpGate`.
 * @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted.
 */
export function parseGateOptionsWith<S extends z.ZodType<GateOptions>>(
  spec: { readonly schema: S; readonly accepted: Readonly<Record<string, string>> },
  options: unknown,
  what: string,
): z.output<S> & ResolvedGateOptions {
  const o = parseOptions(spec.schema, spec.accepted, options, what);
  return { ...o, ...gateDefaults(o) };
}

/**
 * The schema and accepted texts of a handler's options: those of {@link HandlerOptions} and the
 * transport's own `extra` fields.
 */
export function handlerSchema<E extends Record<string, option.OptionField<z.ZodType>>>(extra: E) {
  return option.schemaOf({ ...HANDLER_FIELDS, ...extra });
}

/**
 * Validates handler options once against a {@link handlerSchema} and applies the defaults of
 * {@link HandlerOptions}; the transport's own options come back as given.
 *
 * @param what the class named in error messages, e.g. `SseHandler`.
 * @param maxStreamDurationMs the transport's default of {@link HandlerOptions.maxStreamDurationMs}.
 * @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted.
 */
export function parseHandlerOptions<S extends z.ZodType<HandlerOptions>>(
  spec: { readonly schema: S; readonly accepted: Readonly<Record<string, string>> },
  options: unknown,
  what: string,
  maxStreamDurationMs: number,
): z.output<S> & ResolvedHandlerOptions {
  const o = parseOptions(spec.schema, spec.accepted, options, what);
  return { ...o, ...handlerDefaults(o, maxStreamDurationMs) };
}

function gateDefaults(o: GateOptions, logger: Logger = console): ResolvedGateOptions {
  return {
    sessions: o.sessions,
    ownerOf: o.ownerOf ?? defaultOwnerOf(logger),
    keepAliveMs: o.keepAliveMs ?? 15_000,
    retryAfterSeconds: o.retryAfterSeconds ?? 5,
  };
}

function handlerDefaults(o: HandlerOptions, maxStreamDurationMs: number): ResolvedHandlerOptions {
  return {
    ...gateDefaults(o, o.logger ?? console),
    createServer: o.createServer,
    maxRequestBodySize: o.maxRequestBodySize ?? 4 * 1024 * 1024,
    logger: o.logger ?? console,
    maxStreamDurationMs: o.maxStreamDurationMs ?? maxStreamDurationMs,
    writeStallTimeoutMs: o.writeStallTimeoutMs ?? DEFAULT_WRITE_STALL_TIMEOUT_MS,
    tcpKeepAliveMs: o.tcpKeepAliveMs ?? DEFAULT_TCP_KEEP_ALIVE_MS,
    relay: o.relay,
  };
}
