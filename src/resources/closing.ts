/**
 * Closing pooled resources: each exactly once, awaited and bounded by `closeTimeoutMs`, its
 * failures reported and never thrown; and abandoning creations no longer wanted. Internal to
 * the resource pool.
 *
 * @module
 */
import { errorMessage } from '../core/errors.js';
import { maskSessionId } from '../core/logger.js';
import { withTimeout } from '../core/timers.js';
import type { Entry } from './entry.js';
import { isResourceError, ResourceError } from './errors.js';
import type { PoolContext } from './pool-context.js';
import { abandonedError } from './refusals.js';
import type { ResourceCloseReason } from './types.js';

/** Closes a held resource exactly once; later calls answer at once. Never rejects. */
export function closeEntry<R>(
  context: PoolContext<R>,
  entry: Entry<R>,
  reason: ResourceCloseReason,
): Promise<void> {
  const closer = entry.closer;
  if (entry.state !== 'ready' || closer === undefined) return Promise.resolve();
  const { state } = context;
  entry.state = 'closing';
  entry.closeReason = reason;
  state.resources--;
  state.closedBy[reason]++;
  if (reason === 'failures') state.evicted++;
  state.idle.remove(entry);
  state.forget(entry);
  return state.track(runClose(context, entry, () => closer(reason), reason));
}

/**
 * A creation in flight is no longer wanted: its getters are refused now (unless `refuseNow`
 * is false), the factory's signal aborts, and the resource is closed when it arrives.
 */
export function doomEntry<R>(
  context: PoolContext<R>,
  entry: Entry<R>,
  reason: ResourceCloseReason,
  refuseNow = true,
): void {
  if (entry.doomed !== undefined) return;
  entry.doomed = reason;
  context.state.forget(entry);
  const error = abandonedError(entry, reason);
  entry.controller?.abort(error);
  if (refuseNow) entry.abandon?.(error);
}

async function runClose<R>(
  context: PoolContext<R>,
  entry: Entry<R>,
  close: () => unknown,
  reason: ResourceCloseReason,
): Promise<void> {
  const { group, key } = entry;
  const { sessionId } = group;
  const timeoutMs = context.options.closeTimeoutMs;
  try {
    await withTimeout(
      close,
      timeoutMs,
      () =>
        new ResourceError(
          'CLOSE_TIMEOUT',
          `Closing resource "${key}" of session ${maskSessionId(sessionId)} did not finish within ${timeoutMs} ms.`,
          { sessionId, key },
        ),
    );
  } catch (error) {
    context.state.closeFailures++;
    const failure = isResourceError(error)
      ? error
      : new ResourceError(
          'CLOSE_FAILED',
          `Closing resource "${key}" of session ${maskSessionId(sessionId)} failed: ${errorMessage(error)}`,
          { sessionId, key, cause: error },
        );
    context.report({ phase: 'close', error: failure, sessionId, key });
  }
  entry.resource = undefined;
  context.emitClosed(
    reason === 'failures'
      ? { sessionId, key, reason, error: entry.lastError }
      : { sessionId, key, reason },
  );
}
