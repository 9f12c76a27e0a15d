import { z } from 'zod';
import type { Clock } from './clock.js';
import {
  type CreationRate,
  DEFAULT_RATE_TRACKED,
  type ResolvedCreationRate,
} from './creation-rate.js';
import { DEFAULT_MAX_INIT_BYTES, MAX_MAX_INIT_BYTES, MIN_MAX_INIT_BYTES } from './init-text.js';
import type { Logger } from './logger.js';
import * as option from './option-fields.js';
import type { SessionStore, StorePolicy } from './store.js';
import { hasMethods, isFunction, MINUTE_MS, parseOptions, sweepIntervalFor } from './validate.js';

const DAY = 24 * 60 * MINUTE_MS;

/** Options of {@link SessionManager}. Every field is optional; defaults are listed per field. */
export interface SessionManagerOptions {
  /** Where sessions live. @default a new `MemoryStore` (closed with the manager) */
  store?: SessionStore;
  /**
   * Idle time, in ms, after which an unpinned session ends with reason `idle`. The idle clock
   * starts at the last touch, or at the last release while requests or streams were open.
   * `0`: sessions never idle out. @default 1_800_000 (30 minutes)
   */
  idleTtlMs?: number;
  /** Absolute lifetime in ms from creation; ends the session even while pinned. `0`: none. @default 0 */
  maxLifetimeMs?: number;
  /**
   * How often the sweeper runs, in ms. With a shared store keep it below half the idle TTL:
   * pinned sessions are renewed by their replica's sweeper.
   * @default idleTtlMs / 4 (else maxLifetimeMs / 4), clamped to 5 ms – 60 s; 60 s when neither is set
   */
  sweepIntervalMs?: number;
  /** At most this many sessions ended per store call in a sweep. @default 1000 */
  sweepBatchSize?: number;
  /** How long an ended session is remembered (404 "expired" rather than "not found"). `0`: not at all. @default 86_400_000 (24 h) */
  tombstoneTtlMs?: number;
  /** At most this many tombstones; the oldest are dropped first. @default 100_000 */
  maxTombstones?: number;
  /** At most this many live sessions (`Infinity`: no limit). @default 10_000 */
  maxSessions?: number;
  /**
   * At `maxSessions`: `'reject'` refuses the new session (`SessionError('CAPACITY')`, HTTP 503);
   * `'evict-oldest'` ends the least recently touched unpinned session (reason `evicted`).
   * @default 'reject'
   */
  capacityPolicy?: 'reject' | 'evict-oldest';
  /**
   * At most this many live sessions per owner (`Infinity`: no limit). A session beyond it is
   * refused with `SessionError('OWNER_QUOTA')` (HTTP 429) whatever `capacityPolicy` says:
   * nothing is evicted for it. Sessions without an owner are not counted; `maxSessions` alone
   * bounds them. @default Infinity
   */
  maxSessionsPerOwner?: number;
  /**
   * At most `perOwner` sessions created per owner, and at most `perAddress` per client address
   * (the `address` of `create`: the HTTP handlers pass the client's network address; IPv6
   * counted per /64), in each window of `windowMs` (a fixed window per owner and per address, on
   * the manager's clock, in memory). One more is refused with `SessionError('RATE_LIMITED')`
   * (HTTP 429, `Retry-After` until the windows reached end) before any store call, when either
   * limit is reached; a refused creation counts for neither. Per replica: a fleet of N replicas
   * allows up to N times the rate. Every create that passes the argument checks counts, whether
   * or not the store then accepts it. `perAddress` is what limits anonymous clients (no owner).
   * At most `maxTracked` owners and `maxTracked` addresses are tracked.
   * @default none (no rate limit)
   */
  creationRate?: CreationRate;
  /**
   * Makes new session IDs: unguessable, distinct, 16 to 256 visible ASCII characters
   * (0x21–0x7E). Probed at construction: 8 calls must answer 8 distinct such IDs, else
   * `SessionError('INVALID_OPTION')`. An ID already in use is replaced by a new one, up to
   * 4 IDs per `create()`. @default crypto-secure UUID v4
   */
  generateId?: () => string;
  /**
   * Time source. Without one, the manager uses its store's clock when the store has one (a
   * `RedisStore` keeps Redis's time, so that replicas agree), else the system clock.
   * @default the store's clock, else `Date.now()`
   */
  clock?: Clock;
  /** Where the manager reports hook and sweep failures besides the `error` event. @default none */
  logger?: Logger;
  /**
   * How long one end hook may run before it is reported as failed (`error` event, phase
   * `end-hook`) and no longer awaited. @default 10_000
   */
  hookTimeoutMs?: number;
  /**
   * The largest `initialize` request kept with a session, in bytes of JSON text (UTF-8). It is
   * stored as text, costing about its size in memory (or in Redis). A bigger one is refused with
   * `SessionError('INVALID_ARGUMENT')` before any store call (HTTP 400, no session created).
   * A real `initialize` is 0.5–2 KB. An integer from 256 to 1048576. @default 16384 (16 KiB)
   */
  maxInitBytes?: number;
  /** Start the sweeper in the constructor (its timer never keeps the process alive). @default true */
  autoStart?: boolean;
}

/** Options after defaults, as the manager uses them. */
export interface ResolvedOptions {
  readonly store: SessionStore | undefined;
  readonly policy: StorePolicy;
  readonly sweepIntervalMs: number;
  readonly sweepBatchSize: number;
  readonly capacityPolicy: 'reject' | 'evict-oldest';
  readonly creationRate: ResolvedCreationRate | undefined;
  readonly generateId: (() => string) | undefined;
  readonly clock: Clock | undefined;
  readonly logger: Logger | undefined;
  readonly autoStart: boolean;
  readonly hookTimeoutMs: number;
  readonly maxInitBytes: number;
}

const { schema, accepted } = option.schemaOf({
  store: option.field(
    z
      .custom<SessionStore>(hasMethods('create', 'get', 'touch', 'end', 'claimExpired', 'count'))
      .optional(),
    'a SessionStore (an object with create, get, touch, end, claimExpired and count)',
  ),
  idleTtlMs: option.durationMs('never'),
  maxLifetimeMs: option.durationMs('none'),
  sweepIntervalMs: option.timerMs(1),
  sweepBatchSize: option.field(
    z.number().int().min(1).max(100_000).optional(),
    'an integer from 1 to 100000',
  ),
  tombstoneTtlMs: option.durationMs('no tombstones'),
  maxTombstones: option.field(
    z.number().int().min(0).max(10_000_000).optional(),
    'an integer from 0 to 10000000',
  ),
  maxSessions: option.field(
    z.union([z.number().int().min(1), z.literal(Infinity)]).optional(),
    'an integer >= 1, or Infinity',
  ),
  capacityPolicy: option.field(
    z.enum(['reject', 'evict-oldest']).optional(),
    "'reject' or 'evict-oldest'",
  ),
  maxSessionsPerOwner: option.field(
    z.union([z.number().int().min(1), z.literal(Infinity)]).optional(),
    'an integer >= 1, or Infinity',
  ),
  creationRate: option.field(
    z
      .strictObject({
        perOwner: z.number().int().min(1).max(1_000_000).optional(),
        perAddress: z.number().int().min(1).max(1_000_000).optional(),
        windowMs: z.number().int().min(1).max(DAY),
        maxTracked: z.number().int().min(1).max(1_000_000).optional(),
        maxOwners: z.number().int().min(1).max(1_000_000).optional(),
      })
      .refine((rate) => rate.perOwner !== undefined || rate.perAddress !== undefined)
      .refine((rate) => rate.maxTracked === undefined || rate.maxOwners === undefined)
      .optional(),
    '{ perOwner?: an integer from 1 to 1000000, perAddress?: an integer from 1 to 1000000 ' +
      `(at least one of perOwner and perAddress), windowMs: an integer number of ms from 1 to ${DAY}, ` +
      'maxTracked?: an integer from 1 to 1000000 (or maxOwners, its former name; not both) }',
  ),
  generateId: option.field(
    z.custom<() => string>(isFunction).optional(),
    'a function returning a string ID',
  ),
  clock: option.clock,
  logger: option.logger,
  autoStart: option.autoStart,
  hookTimeoutMs: option.timerMs(1),
  maxInitBytes: option.field(
    z.number().int().min(MIN_MAX_INIT_BYTES).max(MAX_MAX_INIT_BYTES).optional(),
    `an integer number of bytes from ${MIN_MAX_INIT_BYTES} to ${MAX_MAX_INIT_BYTES}`,
  ),
});

/** Validates options once; throws `SessionError('INVALID_OPTION')` naming the field, value and range. */
export function resolveOptions(options: SessionManagerOptions = {}): ResolvedOptions {
  const o = parseOptions(schema, accepted, options, 'SessionManager');
  const idleTtlMs = o.idleTtlMs ?? 30 * MINUTE_MS;
  const maxLifetimeMs = o.maxLifetimeMs ?? 0;
  const sweepIntervalMs =
    o.sweepIntervalMs ?? sweepIntervalFor(idleTtlMs > 0 ? idleTtlMs : maxLifetimeMs);
  return {
    store: o.store,
    policy: Object.freeze({
      idleTtlMs,
      maxLifetimeMs,
      tombstoneTtlMs: o.tombstoneTtlMs ?? DAY,
      maxTombstones: o.maxTombstones ?? 100_000,
      maxSessions: o.maxSessions ?? 10_000,
      maxSessionsPerOwner: o.maxSessionsPerOwner ?? Infinity,
    }),
    sweepIntervalMs,
    sweepBatchSize: o.sweepBatchSize ?? 1000,
    capacityPolicy: o.capacityPolicy ?? 'reject',
    creationRate:
      o.creationRate === undefined
        ? undefined
        : Object.freeze({
            perOwner: o.creationRate.perOwner,
            perAddress: o.creationRate.perAddress,
            windowMs: o.creationRate.windowMs,
            maxTracked:
              o.creationRate.maxTracked ?? o.creationRate.maxOwners ?? DEFAULT_RATE_TRACKED,
          }),
    generateId: o.generateId,
    clock: o.clock,
    logger: o.logger,
    autoStart: o.autoStart ?? true,
    hookTimeoutMs: o.hookTimeoutMs ?? 10_000,
    maxInitBytes: o.maxInitBytes ?? DEFAULT_MAX_INIT_BYTES,
  };
}
