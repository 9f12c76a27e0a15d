/**
 * Options of a handle kind, validated once (`SessionError('INVALID_OPTION')` naming the field,
 * the value and what is accepted). Internal; the types are public.
 *
 * @module
 */
import { z } from 'zod';
import type { AuthInfo } from '../adapters/shared/auth-info.js';
import type { Clock } from '../core/clock.js';
import { SessionError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import * as option from '../core/option-fields.js';
import type { SessionStore } from '../core/store.js';
import { hasMethods, isFunction, MINUTE_MS, parseOptions } from '../core/validate.js';
import { durabilitySentence } from './durations.js';
import { MAX_ID_BYTES, MIN_ID_BYTES, PREFIX_PATTERN } from './handle-id.js';

/**
 * Who calls a tool, from the `authInfo` the SDK hands the tool (v1 `extra.authInfo`, v2
 * `ctx.http.authInfo`) and the handler's whole second argument. `undefined`: no owner, so
 * possession of a handle is enough. A throw fails the call (the SDK answers it as a tool error).
 */
export type HandleOwnerOf = (authInfo: AuthInfo | undefined, extra: unknown) => string | undefined;

/** Options of a {@link HandleKind}. `name` and `prefix` are required; the rest have defaults. */
export interface HandleKindOptions {
  /** The kind's name, singular (`'basket'`): 1 to 32 of a–z, 0–9 and `_`, a letter first. */
  name: string;
  /** The plural, in tool names and texts. @default `${name}s` */
  plural?: string;
  /** The ID prefix (`'bsk'` makes `bsk_…`): a lowercase letter, then up to 15 of a–z, 0–9. */
  prefix: string;
  /** Random bytes per handle, 16 (128 bits) to 64. @default 16 */
  idBytes?: number;
  /**
   * How long a handle lasts after its last use (a call by its owner), in ms; `0`: it never idles
   * out (then `maxLifetimeMs` is required: handles must expire). @default 1_800_000 (30 minutes)
   */
  idleTtlMs?: number;
  /** The most a handle lasts from its creation, in ms, in use or not; `0`: no limit. @default 0 */
  maxLifetimeMs?: number;
  /**
   * How many live handles of this kind one owner may hold (`Infinity`: no limit); one more is
   * refused with `SessionError('OWNER_QUOTA')`. Handles without an owner are not counted.
   * @default 100
   */
  maxPerOwner?: number;
  /** How many live handles of this kind in all (`Infinity`: no limit). @default 10_000 */
  maxHandles?: number;
  /**
   * Where the handles live: a store of their own, used by no other kind and no other
   * `SessionManager` (with Redis: a `RedisStore` on a prefix of its own, the client shared). A
   * store another open kind uses is refused. @default a new `MemoryStore` (closed with the kind)
   */
  store?: SessionStore;
  /** How long an ended handle answers "expired" rather than "not found", in ms. @default 86_400_000 */
  tombstoneTtlMs?: number;
  /** How often ended handles are swept, in ms. @default a quarter of the idle TTL (5 ms – 60 s) */
  sweepIntervalMs?: number;
  /** Time source. @default the store's clock, else `Date.now()` */
  clock?: Clock;
  /** Where sweep failures are logged besides the `error` event. @default none */
  logger?: Logger;
  /** Start the sweeper at once. @default true */
  autoStart?: boolean;
  /**
   * The owner of a call. @default the client ID plus the token's subject (`ownerFromAuth`, as
   * the transports' default `ownerOf`)
   */
  ownerOf?: HandleOwnerOf;
  /** The tool argument that carries the handle. @default `${name}_id` */
  argument?: string;
  /** The tool that creates handles of this kind, named in errors. @default `create_${name}` */
  createTool?: string;
  /** The durability sentence of tool descriptions. @default from the TTLs: "Baskets last 30 minutes after their last use." */
  durability?: string;
}

/** {@link HandleKindOptions} after defaults. */
export interface ResolvedHandleKindOptions {
  readonly name: string;
  readonly plural: string;
  readonly prefix: string;
  readonly idBytes: number;
  readonly idleTtlMs: number;
  readonly maxLifetimeMs: number;
  readonly maxPerOwner: number;
  readonly maxHandles: number;
  readonly store: SessionStore | undefined;
  readonly tombstoneTtlMs: number | undefined;
  readonly sweepIntervalMs: number | undefined;
  readonly clock: Clock | undefined;
  readonly logger: Logger | undefined;
  readonly autoStart: boolean;
  readonly ownerOf: HandleOwnerOf | undefined;
  readonly argument: string;
  readonly createTool: string;
  readonly durability: string;
}

const NAME = /^[a-z][a-z0-9_]{0,31}$/;
const NAME_TEXT = '1 to 32 characters of a-z, 0-9 and _, a letter first';
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const TOOL_TEXT = '1 to 128 characters of A-Z, a-z, 0-9, _, - and .';
const limit = (name: string) =>
  option.field(
    z.union([z.number().int().min(1), z.literal(Infinity)]).optional(),
    `an integer >= 1, or Infinity (${name})`,
  );

const { schema, accepted } = option.schemaOf({
  name: option.field(z.string().regex(NAME), NAME_TEXT),
  plural: option.field(z.string().regex(NAME).optional(), NAME_TEXT),
  prefix: option.field(
    z.string().regex(PREFIX_PATTERN),
    'a lowercase letter, then up to 15 lowercase letters or digits',
  ),
  idBytes: option.field(
    z.number().int().min(MIN_ID_BYTES).max(MAX_ID_BYTES).optional(),
    `an integer from ${MIN_ID_BYTES} to ${MAX_ID_BYTES}`,
  ),
  idleTtlMs: option.durationMs('never idles out'),
  maxLifetimeMs: option.durationMs('no limit'),
  maxPerOwner: limit('handles per owner'),
  maxHandles: limit('handles in all'),
  store: option.field(
    z
      .custom<SessionStore>(hasMethods('create', 'get', 'touch', 'end', 'claimExpired', 'count'))
      .optional(),
    'a SessionStore (an object with create, get, touch, end, claimExpired and count)',
  ),
  tombstoneTtlMs: option.durationMs('no tombstones'),
  sweepIntervalMs: option.timerMs(1),
  clock: option.clock,
  logger: option.logger,
  autoStart: option.autoStart,
  ownerOf: option.field(
    z.custom<HandleOwnerOf>(isFunction).optional(),
    'a function of (authInfo, extra) returning a string or undefined',
  ),
  argument: option.field(z.string().regex(TOOL_NAME).optional(), TOOL_TEXT),
  createTool: option.field(z.string().regex(TOOL_NAME).optional(), TOOL_TEXT),
  durability: option.field(
    z.string().min(1).max(500).optional(),
    'a sentence of 1 to 500 characters',
  ),
});

/** Validates once. @throws SessionError `INVALID_OPTION` naming the field, value and range. */
export function resolveHandleKindOptions(options: HandleKindOptions): ResolvedHandleKindOptions {
  const o = parseOptions(schema, accepted, options, 'HandleKind');
  const idleTtlMs = o.idleTtlMs ?? 30 * MINUTE_MS;
  const maxLifetimeMs = o.maxLifetimeMs ?? 0;
  if (idleTtlMs === 0 && maxLifetimeMs === 0) {
    throw new SessionError(
      'INVALID_OPTION',
      'Invalid HandleKind option `idleTtlMs`: got 0 with no `maxLifetimeMs`; handles must expire, so set an idle TTL (an integer number of ms >= 1) or a maximum lifetime.',
    );
  }
  const plural = o.plural ?? `${o.name}s`;
  return {
    name: o.name,
    plural,
    prefix: o.prefix,
    idBytes: o.idBytes ?? MIN_ID_BYTES,
    idleTtlMs,
    maxLifetimeMs,
    maxPerOwner: o.maxPerOwner ?? 100,
    maxHandles: o.maxHandles ?? 10_000,
    store: o.store,
    tombstoneTtlMs: o.tombstoneTtlMs,
    sweepIntervalMs: o.sweepIntervalMs,
    clock: o.clock,
    logger: o.logger,
    autoStart: o.autoStart ?? true,
    ownerOf: o.ownerOf,
    argument: o.argument ?? `${o.name}_id`,
    createTool: o.createTool ?? `create_${o.name}`,
    durability: o.durability ?? durabilitySentence(plural, idleTtlMs, maxLifetimeMs),
  };
}
