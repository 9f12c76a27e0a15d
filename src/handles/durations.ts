/**
 * Durations in words, for the durability sentence of tool descriptions and for errors. Internal.
 *
 * @module
 */

const UNITS: ReadonlyArray<readonly [ms: number, one: string]> = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1000, 'second'],
];

/** `ms` in the largest unit that divides it exactly: `30 minutes`, `1 day`, `1500 ms`. */
export function durationText(ms: number): string {
  for (const [size, one] of UNITS) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size;
      return `${n} ${one}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}

/** `word` with its first letter upper-cased. */
export function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * How long handles of a kind last, as one sentence for tool descriptions:
 * `Baskets last 30 minutes after their last use.`, `... and at most 1 day in all.`, or
 * `Baskets last 1 day from their creation.` when only the lifetime applies.
 */
export function durabilitySentence(
  plural: string,
  idleTtlMs: number,
  maxLifetimeMs: number,
): string {
  const subject = capitalized(plural);
  if (idleTtlMs === 0) return `${subject} last ${durationText(maxLifetimeMs)} from their creation.`;
  const idle = `${subject} last ${durationText(idleTtlMs)} after their last use`;
  if (maxLifetimeMs === 0) return `${idle}.`;
  return `${idle}, and at most ${durationText(maxLifetimeMs)} in all.`;
}
