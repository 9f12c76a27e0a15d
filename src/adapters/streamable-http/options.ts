import type { WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { field } from '../../core/option-fields.js';
import type { SessionRecord } from '../../core/types.js';
import { isFunction } from '../../core/validate.js';
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

/** The `kind` recorded for sessions created over Streamable HTTP. */
export const STREAMABLE_HTTP_KIND = 'streamable-http';

/** The methods a Streamable HTTP endpoint serves; others answer 405 with `Allow`. */
export const STREAMABLE_HTTP_METHODS: readonly string[] = Object.freeze(['GET', 'POST', 'DELETE']);

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
}

/** Handler options after defaults. */
export interface ResolvedStreamableHttpOptions extends ResolvedHandlerOptions {
  readonly transportOptions: ((session: SessionRecord) => TransportExtras) | undefined;
  /** The DNS rebinding checks; `undefined` when off. */
  readonly guard: ResolvedGuard | undefined;
}

const HANDLER = handlerSchema({
  transportOptions: field(
    z.custom<(session: SessionRecord) => TransportExtras>(isFunction).optional(),
    'a function (session) => SDK transport options',
  ),
  ...GUARD_FIELDS,
});

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

/** Validates handler options once; throws `SessionError('INVALID_OPTION')` naming the field. */
export function resolveHandlerOptions(
  options: StreamableHttpHandlerOptions,
): ResolvedStreamableHttpOptions {
  const o = parseHandlerOptions(HANDLER, options, 'StreamableHttpHandler');
  return { ...o, transportOptions: o.transportOptions, guard: resolveGuard(o) };
}
