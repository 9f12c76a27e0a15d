/**
 * Runs a session's end hooks: all at once, each awaited, isolated (one failing hook does not
 * stop the others) and time-limited. Internal to the session manager.
 *
 * @module
 */
import type { SessionEndInfo } from './events.js';
import type { EndHook } from './manager-types.js';
import { withTimeout } from './timers.js';

/**
 * Runs every hook with `info` (each from a microtask, never inside the caller's synchronous
 * stack) and waits for all of them, each at most `timeoutMs`. A hook that
 * throws, rejects or runs out of time is handed to `onFailure` (with `info.id`) and no longer
 * awaited. Never rejects.
 */
export async function runEndHooks(
  hooks: readonly EndHook[],
  info: SessionEndInfo,
  timeoutMs: number,
  onFailure: (error: unknown, sessionId: string) => void,
): Promise<void> {
  await Promise.all(
    hooks.map(async (hook) => {
      try {
        await withTimeout(
          () => Promise.resolve(info).then(hook),
          timeoutMs,
          () => new Error(`End hook did not finish within ${timeoutMs} ms.`),
        );
      } catch (error) {
        onFailure(error, info.id);
      }
    }),
  );
}
