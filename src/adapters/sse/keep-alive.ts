import type { ServerResponse } from 'node:http';
import { unrefTimer } from '../../core/timers.js';

/** An SSE comment frame: clients ignore it, proxies see traffic. */
export const KEEP_ALIVE_FRAME = ': keepalive\n\n';

/**
 * Writes {@link KEEP_ALIVE_FRAME} on `res` every `intervalMs` once its headers are out, until the
 * answered function is called or the response ends. The timer never keeps the process alive.
 */
export function startKeepAlive(res: ServerResponse, intervalMs: number): () => void {
  const timer = unrefTimer(
    setInterval(() => {
      if (res.writableEnded || res.destroyed) clearInterval(timer);
      else if (res.headersSent) res.write(KEEP_ALIVE_FRAME);
    }, intervalMs),
  );
  return () => clearInterval(timer);
}
