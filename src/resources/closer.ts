/** Closes one resource; may return a promise. */
export type Closer = () => unknown;

const asyncDispose: symbol | undefined = (Symbol as { asyncDispose?: symbol }).asyncDispose;
const dispose: symbol | undefined = (Symbol as { dispose?: symbol }).dispose;

/**
 * Finds how to close `resource`: `Symbol.asyncDispose`, `close()`, `dispose()`, `Symbol.dispose`,
 * first found, bound to the resource. Answers `undefined` when it has none.
 */
export function findCloser(resource: unknown): Closer | undefined {
  if ((typeof resource !== 'object' && typeof resource !== 'function') || resource === null) {
    return undefined;
  }
  const target = resource as Record<PropertyKey, unknown>;
  for (const name of [asyncDispose, 'close', 'dispose', dispose]) {
    if (name === undefined) continue;
    const method = target[name];
    if (typeof method === 'function') return () => method.call(resource);
  }
  return undefined;
}

/**
 * Runs `closer` (sync throws become rejections) and waits at most `timeoutMs` for it; the
 * timer is `unref()`'d and cleared. Rejects with `onTimeout()` when time runs out.
 */
export async function closeWithin(
  closer: Closer,
  timeoutMs: number,
  onTimeout: () => Error,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      new Promise<unknown>((resolve) => resolve(closer())),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), timeoutMs);
        (timer as { unref?: () => void }).unref?.();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
