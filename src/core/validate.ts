import type { z } from 'zod';
import { SessionError } from './errors.js';

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
  if (issue.code === 'unrecognized_keys') {
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
