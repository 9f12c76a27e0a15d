import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

/** A node:http front door, as the handlers (`.node`) and gates expose it. */
export type Door = (req: IncomingMessage, res: ServerResponse, next?: unknown) => Promise<unknown>;

/**
 * Serves `door` on 127.0.0.1 until the test finishes (then the server and its connections are
 * closed). Answers the port and how many responses have closed so far.
 */
export async function serveDoor(door: Door): Promise<{ port: number; closed: () => number }> {
  let closed = 0;
  const http = createServer((req, res) => {
    res.once('close', () => closed++);
    void door(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  );
  return { port: (http.address() as AddressInfo).port, closed: () => closed };
}

/** {@link serveDoor}, answering the port only. */
export async function listen(door: Door): Promise<number> {
  return (await serveDoor(door)).port;
}
