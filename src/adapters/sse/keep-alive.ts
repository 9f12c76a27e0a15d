import { unrefTimer } from '../../core/timers.js';

/** An SSE comment frame: clients ignore it, proxies see traffic. */
export const KEEP_ALIVE_FRAME = ': keepalive\n\n';

/**
 * Calls `write` every `intervalMs` until it answers `false` (the stream ended) or the answered
 * function is called. The timer never keeps the process alive.
 */
export function startKeepAlive(write: () => boolean, intervalMs: number): () => void {
  const timer = unrefTimer(
    setInterval(() => {
      if (!write()) clearInterval(timer);
    }, intervalMs),
  );
  return () => clearInterval(timer);
}
