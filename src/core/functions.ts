/**
 * Function values shared across modules. Internal.
 *
 * @module
 */

/** Does nothing: a placeholder callback and the handler of a settled promise nobody reads. */
export function noop(): void {}

/**
 * `last`, after calling each of `first` that is defined: one callback for several cleanups.
 * Answers what `last` answers.
 */
export function runBefore<T>(
  first: ReadonlyArray<(() => void) | undefined>,
  last: () => T,
): () => T {
  return () => {
    for (const run of first) run?.();
    return last();
  };
}
