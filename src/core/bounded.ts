/**
 * Bounded concurrency for the manager's bulk store work (sweep renewals and verifications), so a
 * replica holding thousands of sessions never sends them all to the store at once. Internal.
 *
 * @module
 */

/** At most this many store calls a sweep keeps in flight. */
export const SWEEP_CONCURRENCY = 32;

/**
 * Calls `run` on every item with at most `limit` calls in flight; answers their results in
 * order. `run` must not reject (the manager's callers report their own failures).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      results[at] = await run(items[at] as T);
    }
  };
  const workers: Promise<void>[] = [];
  for (let n = Math.min(limit, items.length); n > 0; n--) workers.push(worker());
  await Promise.all(workers);
  return results;
}
