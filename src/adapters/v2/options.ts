import type {
  AuthInfo,
  McpServer,
  PerRequestResponseMode,
  Server,
  ServerEventBus,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { field } from '../../core/option-fields.js';
import type { SessionRecord } from '../../core/types.js';
import { hasMethods, isFunction } from '../../core/validate.js';
import type { DnsRebindingOptions } from '../shared/guard.js';
import type { GateOptions, HandlerOptions } from '../shared/options.js';
import type { StreamableHttpHandlerOptions, TransportExtras } from '../streamable-http/options.js';

/**
 * What the server factory of a v2 handler is told: the protocol era of the server it builds and,
 * for the 2025 era, the session it serves.
 *
 * - `era: 'legacy'`: a 2025-era client sent `initialize` (or another replica's session is being
 *   restored here from its stored `initialize`): the server is connected to that session's SDK v2
 *   transport and lives as long as the session's transport here. `session` is its record (ID,
 *   owner, kind, data).
 * - `era: 'modern'`: a 2026-07-28 request (`createMcpHandler` builds one server per request,
 *   stateless): `session` is `undefined`; `authInfo` and `requestInfo` are what
 *   `createMcpHandler` hands its factory.
 */
export type ServerContext =
  | { readonly era: 'legacy'; readonly session: SessionRecord }
  | {
      readonly era: 'modern';
      readonly session: undefined;
      /** The request's authenticated principal, when the door was given one. */
      readonly authInfo?: AuthInfo | undefined;
      /** The HTTP request being served. */
      readonly requestInfo?: Request | undefined;
    };

/**
 * Builds one SDK v2 server (`McpServer` or low-level `Server`) for {@link ServerContext}: a new
 * instance each call (an SDK server connects to one transport). Define tools, prompts and
 * resources once here and both eras are served the same surface. May be async; a throw for a
 * legacy session ends the session and answers 500, for a modern request answers as
 * `createMcpHandler` does (500).
 */
export type V2ServerFactory = (
  context: ServerContext,
) => McpServer | Server | Promise<McpServer | Server>;

/**
 * Options of the v2 {@link StreamableHttpHandler}: those of the SDK v1 entry's handler (sessions,
 * TTL-driven behaviour, DNS rebinding protection, relay, event log, stream bounds...), which
 * apply to 2025-era traffic, with an era-aware `createServer` and the modern era's own options.
 */
export interface V2HandlerOptions
  extends Omit<HandlerOptions, 'createServer'>,
    DnsRebindingOptions,
    Omit<StreamableHttpHandlerOptions, keyof HandlerOptions | keyof DnsRebindingOptions> {
  /** Builds the server of a legacy session or of a modern request; see {@link ServerContext}. Required. */
  createServer: V2ServerFactory;
  /**
   * Whether 2026-07-28 requests are served (by SDK v2's `createMcpHandler`, stateless). `false`:
   * a legacy-only endpoint; modern requests answer 400 with the spec's
   * unsupported-protocol-version error (`-32022`, `data.supported`: the 2025-era versions), so a
   * negotiating client falls back to `initialize`. @default true
   */
  modern?: boolean | undefined;
  /**
   * The change-event bus of the modern era's `subscriptions/listen` streams, passed to
   * `createMcpHandler` (e.g. `RedisServerEventBus` from `mcp-sessions/redis`, so a change
   * published on one replica reaches listeners on all). @default an in-process bus
   */
  bus?: ServerEventBus | undefined;
  /**
   * How modern answers are shaped, passed to `createMcpHandler`: `'auto'` (JSON unless the
   * handler sends a related message first), `'sse'` or `'json'`. @default 'auto'
   */
  responseMode?: PerRequestResponseMode | undefined;
}

/** The v2 entry's own handler option fields, checked with the shared ones. */
export const V2_HANDLER_FIELDS = {
  createServer: field(
    z.custom<V2ServerFactory>(isFunction),
    'a function ({ era, session }) => McpServer or Server',
  ),
  modern: field(z.boolean().optional(), 'true or false'),
  bus: field(
    z.custom<ServerEventBus>(hasMethods('publish', 'subscribe')).optional(),
    'a ServerEventBus (an object with publish and subscribe)',
  ),
  responseMode: field(z.enum(['auto', 'sse', 'json']).optional(), "'auto', 'sse' or 'json'"),
};

/** Options of the v2 {@link StreamableHttpGate}: those of the SDK v1 entry's gate. */
export interface V2GateOptions extends GateOptions, DnsRebindingOptions {}

export type { TransportExtras };
