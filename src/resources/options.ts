import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import * as option from '../core/option-fields.js';
import { isFunction, MINUTE_MS, parseOptions, sweepIntervalFor } from '../core/validate.js';
import type { ResourceCloseContext, ResourceContext } from './types.js';

/** Options of {@link SessionResources}. Only `create` is required; defaults are listed per field. */
export interface SessionResourcesOptions<R> {
  /**
   * Makes the resource for `(sessionId, key)`: a backend connection, a spawned process, a
   * database handle. Runs once per key while a resource is held; concurrent gets share its
   * result. A throw or rejection reaches the getters as `ResourceError('CREATE_FAILED')` and is
   * not cached. `context.signal` aborts when the resource stops being wanted mid-creation.
   */
  create: (context: ResourceContext) => R | Promise<R>;
  /**
   * Closes a resource; awaited, bounded by `closeTimeoutMs`.
   * @default the resource's own `Symbol.asyncDispose`, `close()`, `dispose()` or
   * `Symbol.dispose`, first found (a resource with none of them is refused at creation)
   */
  close?: (resource: R, context: ResourceCloseContext) => unknown;
  /**
   * Time in ms a resource may go unused before it is closed with reason `idle`. It counts from
   * the last get, or from the end of the last `use()` (a resource inside `use()` never idles
   * out). `0`: never. @default 300_000 (5 minutes)
   */
  idleTimeoutMs?: number;
  /**
   * Consecutive failures after which a resource is evicted and closed (reason `failures`);
   * a success resets the count. `Infinity`: never. @default 10
   */
  maxFailures?: number;
  /**
   * How long one close may run before it is reported (`ResourceError('CLOSE_TIMEOUT')` on the
   * `error` event) and no longer awaited. Keep it below the manager's `hookTimeoutMs`.
   * @default 5_000
   */
  closeTimeoutMs?: number;
  /**
   * How often the idle sweeper runs, in ms.
   * @default idleTimeoutMs / 4, clamped to 5 ms – 60 s (no sweeper when idleTimeoutMs is 0)
   */
  sweepIntervalMs?: number;
  /** Time source for idle timeouts. @default the manager's clock */
  clock?: Clock;
  /** Where contained failures are logged besides the `error` event. @default none (console.error when nobody listens) */
  logger?: Logger;
  /** Start the idle sweeper in the constructor (its timer never keeps the process alive). @default true */
  autoStart?: boolean;
}

/** Options after defaults, as the pool uses them. */
export interface ResolvedResourceOptions<R> {
  readonly create: (context: ResourceContext) => R | Promise<R>;
  readonly close: ((resource: R, context: ResourceCloseContext) => unknown) | undefined;
  readonly idleTimeoutMs: number;
  readonly maxFailures: number;
  readonly closeTimeoutMs: number;
  readonly sweepIntervalMs: number;
  readonly clock: Clock | undefined;
  readonly logger: Logger | undefined;
  readonly autoStart: boolean;
}

const { schema, accepted } = option.schemaOf({
  create: option.field(
    z.custom<(context: ResourceContext) => unknown>(isFunction),
    'a function (context) => resource | Promise<resource>',
  ),
  close: option.field(
    z.custom<(resource: unknown, context: ResourceCloseContext) => unknown>(isFunction).optional(),
    'a function (resource, context) => void | Promise<void>',
  ),
  idleTimeoutMs: option.durationMs('never'),
  maxFailures: option.field(
    z.union([z.number().int().min(1).max(1_000_000), z.literal(Infinity)]).optional(),
    'an integer from 1 to 1000000, or Infinity',
  ),
  closeTimeoutMs: option.timerMs(1),
  sweepIntervalMs: option.timerMs(1),
  clock: option.clock,
  logger: option.logger,
  autoStart: option.autoStart,
});

/** Validates options once; throws `SessionError('INVALID_OPTION')` naming the field, value and range. */
export function resolveResourceOptions<R>(
  options: SessionResourcesOptions<R>,
): ResolvedResourceOptions<R> {
  const o = parseOptions(schema, accepted, options, 'SessionResources');
  const idleTimeoutMs = o.idleTimeoutMs ?? 5 * MINUTE_MS;
  return {
    create: options.create,
    close: options.close,
    idleTimeoutMs,
    maxFailures: o.maxFailures ?? 10,
    closeTimeoutMs: o.closeTimeoutMs ?? 5_000,
    sweepIntervalMs: o.sweepIntervalMs ?? sweepIntervalFor(idleTimeoutMs),
    clock: o.clock,
    logger: o.logger,
    autoStart: o.autoStart ?? true,
  };
}
