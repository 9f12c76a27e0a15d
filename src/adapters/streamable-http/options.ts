import type { WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { z } from 'zod';
import { field } from '../../core/option-fields.js';
import type { SessionRecord } from '../../core/types.js';
import { isFunction } from '../../core/validate.js';
import {
  type GateOptions,
  type HandlerOptions,
  handlerSchema,
  parseGateOptions,
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
 * `Admission.transportOptions`.
 */
export type StreamableHttpGateOptions = GateOptions;

/** Options of {@link StreamableHttpHandler}. */
export interface StreamableHttpHandlerOptions extends HandlerOptions {
  /**
   * Extra SDK transport options per session (`enableJsonResponse`, `eventStore`, DNS rebinding
   * protection, ...). An `eventStore` must key its streams by session: stream IDs are unique
   * per transport only. @default none
   */
  transportOptions?: (session: SessionRecord) => TransportExtras;
}

/** Handler options after defaults. */
export interface ResolvedStreamableHttpOptions extends ResolvedHandlerOptions {
  readonly transportOptions: ((session: SessionRecord) => TransportExtras) | undefined;
}

const HANDLER = handlerSchema({
  transportOptions: field(
    z.custom<(session: SessionRecord) => TransportExtras>(isFunction).optional(),
    'a function (session) => SDK transport options',
  ),
});

/** Validates gate options once; throws `SessionError('INVALID_OPTION')` naming the field. */
export function resolveGateOptions(options: StreamableHttpGateOptions): ResolvedGateOptions {
  return parseGateOptions(options, 'StreamableHttpGate');
}

/** Validates handler options once; throws `SessionError('INVALID_OPTION')` naming the field. */
export function resolveHandlerOptions(
  options: StreamableHttpHandlerOptions,
): ResolvedStreamableHttpOptions {
  const o = parseHandlerOptions(HANDLER, options, 'StreamableHttpHandler');
  return { ...o, transportOptions: o.transportOptions };
}
