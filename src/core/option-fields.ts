/**
 * Option fields the manager's and the resource pool's options share, each a zod schema paired
 * with the text its error message gives as what is accepted, so the two never drift apart.
 * Internal; read as a namespace (`option.timerMs(1)`, `option.clock`).
 *
 * @module
 */
import { z } from 'zod';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import { hasMethods, isObject, MAX_DURATION_MS, MAX_TIMER_MS } from './validate.js';

/** One optional option: how it is checked and how an error message describes what it accepts. */
export interface OptionField<S extends z.ZodType> {
  readonly schema: S;
  readonly accepted: string;
}

/** An optional field, from its schema and its accepted text. */
export function field<S extends z.ZodType>(schema: S, accepted: string): OptionField<S> {
  return { schema, accepted };
}

/** Whole milliseconds from `min` to the longest timer delay (`MAX_TIMER_MS`). */
export function timerMs(min: number) {
  return field(
    z.number().int().min(min).max(MAX_TIMER_MS).optional(),
    `an integer number of ms from ${min} to ${MAX_TIMER_MS}`,
  );
}

/** Whole milliseconds from 0 to 365 days; `zero` says what 0 means (`'never'`, `'none'`). */
export function durationMs(zero: string) {
  return field(
    z.number().int().min(0).max(MAX_DURATION_MS).optional(),
    `an integer number of ms from 0 (${zero}) to ${MAX_DURATION_MS} (365 days)`,
  );
}

/** The `clock` option: an object with `now()`. */
export const clock = field(
  z.custom<Clock>(hasMethods('now')).optional(),
  'an object with a now() method returning ms',
);

/** The `logger` option: an object whose methods are all optional. */
export const logger = field(
  z.custom<Logger>(isObject).optional(),
  'an object with optional debug/info/warn/error methods',
);

/** The `autoStart` option: a boolean. */
export const autoStart = field(z.boolean().optional(), 'true or false');

/**
 * The strict schema and the accepted texts of an options object, for `parseOptions`: unknown
 * keys are refused, and every message names what the field accepts.
 */
export function schemaOf<F extends Record<string, OptionField<z.ZodType>>>(fields: F) {
  const shape: Record<string, z.ZodType> = {};
  const accepted: Record<string, string> = {};
  for (const [name, option] of Object.entries(fields)) {
    shape[name] = option.schema;
    accepted[name] = option.accepted;
  }
  const schema = z.strictObject(shape as { [K in keyof F]: F[K]['schema'] });
  return { schema, accepted: Object.freeze(accepted) };
}
