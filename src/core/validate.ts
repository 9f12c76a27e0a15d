/**
 * Option validation shared by every options module: the limits, the type guards and one
 * parser whose messages name the field, the value and the accepted range. Internal; free of
 * Node imports so the client may use it.
 *
 * @module
 */
import type { z } from 'zod';
import { SessionError } from './errors.js';

/** One minute, in ms. */
export const MINUTE_MS = 60_000;

/** The longest duration option accepted (365 days), in ms. */
export const MAX_DURATION_MS = 365 * 24 * 60 * MINUTE_MS;

/**
 * The longest delay a timer takes (2^31 - 1 ms, about 24.8 days); a longer one fires at once.
 * Every option that becomes a timer delay is capped to it.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** True when `value` can be called. */
export function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === 'function';
}

/** A guard for objects carrying every method in `names` (a duck-typed interface check). */
export function hasMethods(...names: readonly string[]): (value: unknown) => boolean {
  return (value) =>
    typeof value === 'object' &&
    value !== null &&
    names.every((name) => isFunction((value as Record<string, unknown>)[name]));
}

/** A guard for non-null objects (loggers, whose every method is optional). */
export function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * The default period of a sweeper whose deadlines are `basisMs` long: a quarter of it,
 * clamped to 5 ms – 60 s; 60 s when `basisMs` is 0 (nothing expires).
 */
export function sweepIntervalFor(basisMs: number): number {
  return basisMs > 0 ? Math.min(Math.max(Math.floor(basisMs / 4), 5), MINUTE_MS) : MINUTE_MS;
}

/** Renders a rejected value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Validates an options object once with a zod schema. On failure throws
 * `SessionError('INVALID_OPTION')` whose message names the field, the value given and what is
 * accepted (from `accepted`, keyed by field); unknown keys are listed with the accepted ones.
 *
 * @param what how to name the options in messages, e.g. `'SessionManager'`.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  accepted: Readonly<Record<string, string>>,
  options: unknown,
  what: string,
): z.output<S> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new SessionError(
      'INVALID_OPTION',
      `${what} options must be an object, got ${describeValue(options)}.`,
    );
  }
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    throw new SessionError(
      'INVALID_OPTION',
      `Unknown ${what} option \`${issue.keys.join('`, `')}\`; accepted options: ${Object.keys(accepted).join(', ')}.`,
    );
  }
  const field = String(issue.path[0]);
  const value = (options as Record<string, unknown>)[field];
  throw new SessionError(
    'INVALID_OPTION',
    `Invalid ${what} option \`${field}\`: expected ${accepted[field] ?? issue.message}, got ${describeValue(value)}.`,
  );
}
