import { z } from 'zod';
import { field, type OptionField } from '../../core/option-fields.js';
import type { SessionRecord } from '../../core/types.js';
import { isFunction, MAX_TIMER_MS } from '../../core/validate.js';
import {
  type DnsRebindingOptions,
  GUARD_FIELDS,
  type ResolvedGuard,
  resolveGuard,
} from '../shared/guard.js';
import {
  type GateOptions,
  gateSchema,
  type HandlerOptions,
  handlerSchema,
  parseGateOptionsWith,
  parseHandlerOptions,
  type ResolvedGateOptions,
  type ResolvedHandlerOptions,
} from '../shared/options.js';
import type { SdkTransportOptions } from './sdk.js';

/** The `kind` recorded for sessions created over Streamable HTTP. */
export const STREAMABLE_HTTP_KIND = 'streamable-http';

/** The methods a Streamable HTTP endpoint serves; others answer 405 with `Allow`. */
export const STREAMABLE_HTTP_METHODS: readonly string[] = Object.freeze(['GET', 'POST', 'DELETE']);

/** SDK transport options passed through unchanged to each session's transport. */
export type TransportExtras = Pick<
  SdkTransportOptions,
  | 'enableJsonResponse'
  | 'eventStore'
  | 'allowedHosts'
  | 'allowedOrigins'
  | 'enableDnsRebindingProtection'
  | 'retryInterval'
>;

/**
 * Options of {@link StreamableHttpGate}; its `keepAliveMs` goes into
 * `Admission.transportOptions`. DNS rebinding protection (`enableDnsRebindingProtection`,
 * `allowedHosts`, `allowedOrigins`) is checked by `admit` before any session is created or
 * acquired: a refused request answers 403 and touches nothing.
 */
export interface StreamableHttpGateOptions extends GateOptions, DnsRebindingOptions {}

/** Gate options after defaults. */
export interface ResolvedStreamableHttpGateOptions extends ResolvedGateOptions {
  /** The DNS rebinding checks; `undefined` when off. */
  readonly guard: ResolvedGuard | undefined;
}

/**
 * Options of {@link StreamableHttpHandler}. DNS rebinding protection (`enableDnsRebindingProtection`,
 * `allowedHosts`, `allowedOrigins`) is checked before any session is created, acquired or
 * restored: a refused request answers 403 and touches nothing. Set it here rather than in
 * `transportOptions`, where the SDK checks it only once a session exists.
 */
export interface StreamableHttpHandlerOptions extends HandlerOptions, DnsRebindingOptions {
  /**
   * Extra SDK transport options per session (`enableJsonResponse`, `eventStore`, ...). An
   * `eventStore` must key its streams by session: stream IDs are unique per transport only. DNS
   * rebinding options given here are checked by the SDK only after a session was created or
   * acquired; give them to the handler instead. @default none
   */
  transportOptions?: (session: SessionRecord) => TransportExtras;
  /**
   * Most bytes an event stream written by the node door (`node`) may hold unsent for a client
   * that does not read fast enough, in bytes (from 1 KiB to 1 GiB). A write that leaves more
   * than this unsent ends that stream (the connection is closed and the request's pin
   * released; the session stays, and a client with an `eventStore` may resume), so one stalled
   * client cannot grow the process without bound: at most this plus one message is buffered
   * per stream. On the `fetch` door, a body whose consumer has left more than this unread ends
   * the same way (its reader gets an error, the pin is released).
   * @default 1_048_576 (1 MiB)
   */
  maxBufferedBytes?: number | undefined;
  /**
   * Longest time a `GET` event stream may stay open, in ms (0 to 2^31-1; `0`: unbounded). A
   * stream open longer is ended by the server (its pin is released, the session stays): the SDK
   * client opens a new `GET` stream by itself, so a live client only reconnects, while a peer
   * that vanished no longer pins its session. Streams answering a `POST` are not bounded. On the
   * node door only: the `fetch` door hands the SDK's stream to its server as it is.
   * @default 3_600_000 (1 hour)
   */
  maxStreamDurationMs?: number | undefined;
  /**
   * Whether each transport keeps its events in the store's shared event log when the manager's
   * store offers one (it has an `eventLog` function, as the Redis store does) and
   * `transportOptions` give no `eventStore`. Events of the standalone `GET` stream then go to
   * the session's shared log, so a client reconnecting with `Last-Event-ID` to any replica gets
   * what it missed; events of `POST` streams stay in a small log of the transport (the last
   * 256), so a tool call costs no store command. An event ID the replica cannot vouch for (of
   * another replica's `POST` stream, evicted, malformed) answers 400. `false`: no event store
   * unless `transportOptions` give one. @default true
   */
  eventLog?: boolean | undefined;
  /**
   * With a shared store (`sessions.store.shared`), how long a session's transport and server may
   * stay in this process with no open stream and no request in flight, in ms (0 to 2^31-1;
   * `0`: kept until the session ends). Past it they are let go, without ending the session; its
   * next request here rebuilds them by replaying its stored `initialize` (as for a session
   * another replica made). Checked periodically (at most every minute) against the manager's
   * clock, and on {@link StreamableHttpHandler.trim}. Ignored with a store that is not shared.
   * @default 300_000 (5 minutes)
   */
  localIdleMs?: number | undefined;
}

/** Default of {@link StreamableHttpHandlerOptions.localIdleMs}: 5 minutes. */
export const DEFAULT_LOCAL_IDLE_MS = 300_000;

/** Default of {@link StreamableHttpHandlerOptions.maxStreamDurationMs}: 1 hour. */
export const DEFAULT_MAX_STREAM_DURATION_MS = 3_600_000;

/** Default of {@link StreamableHttpHandlerOptions.maxBufferedBytes}: 1 MiB. */
export const DEFAULT_MAX_BUFFERED_BYTES = 1_048_576;
const MIN_BUFFERED_BYTES = 1024;
const MAX_BUFFERED_BYTES = 1_073_741_824;

/** Handler options after defaults. */
export interface ResolvedStreamableHttpOptions extends ResolvedHandlerOptions {
  readonly transportOptions: ((session: SessionRecord) => TransportExtras) | undefined;
  /** The DNS rebinding checks; `undefined` when off. */
  readonly guard: ResolvedGuard | undefined;
  readonly maxBufferedBytes: number;
  readonly eventLog: boolean;
  readonly localIdleMs: number;
}

const HANDLER_FIELDS = {
  transportOptions: field(
    z.custom<(session: SessionRecord) => TransportExtras>(isFunction).optional(),
    'a function (session) => SDK transport options',
  ),
  maxBufferedBytes: field(
    z.number().int().min(MIN_BUFFERED_BYTES).max(MAX_BUFFERED_BYTES).optional(),
    `an integer number of bytes from ${MIN_BUFFERED_BYTES} to ${MAX_BUFFERED_BYTES}`,
  ),
  eventLog: field(z.boolean().optional(), 'true or false'),
  localIdleMs: field(
    z.number().int().min(0).max(MAX_TIMER_MS).optional(),
    `an integer number of ms from 0 (keep) to ${MAX_TIMER_MS}`,
  ),
  ...GUARD_FIELDS,
};

const HANDLER = handlerSchema(HANDLER_FIELDS);

/**
 * The schema and accepted texts of Streamable HTTP handler options with an entry's own `extra`
 * fields, for {@link resolveHandlerOptions}.
 */
export function streamableHandlerSchema<E extends Record<string, OptionField<z.ZodType>>>(
  extra: E,
) {
  return handlerSchema({ ...HANDLER_FIELDS, ...extra });
}

const GATE = gateSchema(GUARD_FIELDS);

/** Validates gate options once; throws `SessionError('INVALID_OPTION')` naming the field. */
export function resolveGateOptions(
  options: StreamableHttpGateOptions,
): ResolvedStreamableHttpGateOptions {
  const o = parseGateOptionsWith(GATE, options, 'StreamableHttpGate');
  return {
    sessions: o.sessions,
    ownerOf: o.ownerOf,
    keepAliveMs: o.keepAliveMs,
    retryAfterSeconds: o.retryAfterSeconds,
    guard: resolveGuard(o),
  };
}

/** A handler option schema with its accepted texts, from {@link streamableHandlerSchema}. */
export type StreamableHandlerSpec = {
  readonly schema: z.ZodType;
  readonly accepted: Readonly<Record<string, string>>;
};

/**
 * Validates handler options once and applies their defaults.
 *
 * @param spec the schema to check against: an entry with options of its own passes
 *   {@link streamableHandlerSchema} of them. @default the Streamable HTTP handler's options
 * @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted.
 */
export function resolveHandlerOptions(
  options: Omit<StreamableHttpHandlerOptions, 'createServer'> & { createServer: unknown },
  spec: StreamableHandlerSpec = HANDLER,
): ResolvedStreamableHttpOptions {
  const o = parseHandlerOptions(
    spec as typeof HANDLER,
    options,
    'StreamableHttpHandler',
    DEFAULT_MAX_STREAM_DURATION_MS,
  );
  return {
    ...o,
    transportOptions: o.transportOptions,
    guard: resolveGuard(o),
    maxBufferedBytes: o.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    eventLog: o.eventLog ?? true,
    localIdleMs: o.localIdleMs ?? DEFAULT_LOCAL_IDLE_MS,
  };
}
