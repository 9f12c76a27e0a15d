/** How long a test waits for an event before it fails, in ms (generous for a loaded machine). */
export const EVENT_TIMEOUT_MS = 5000;

/** Waits `ms` of real time: only for short waits an assertion needs, never to let time pass. */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Settles like `promise`, or rejects with "Timed out after <ms> ms waiting for <what>" when it
 * has not settled within `timeoutMs`.
 */
export async function within<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every 5 ms until it answers true; rejects with "Timed out after <ms> ms waiting
 * for <what>" when `timeoutMs` passes first. For state with no event to wait on.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what = 'a condition',
  timeoutMs = EVENT_TIMEOUT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await wait(5);
  }
}
