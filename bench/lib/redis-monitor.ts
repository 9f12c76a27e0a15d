/**
 * Counts the commands Redis receives under a key prefix, through MONITOR on a side connection:
 * what a server process sends between two markers, whatever other clients do meanwhile. Each
 * command a client sends is one round trip unless the client pipelines several together, so
 * the count is an upper bound on round trips.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** A MONITOR connection that tallies commands mentioning a prefix, by command and script. */
export interface CommandCounter {
  /** Counts the commands mentioning `prefix` that `run` causes, by label. */
  count(run: () => Promise<void>): Promise<Map<string, number>>;
  close(): void;
}

/** MONITOR also shows the commands a Lua script runs inside Redis: those are no round trips. */
const FROM_SCRIPT = /^\+[\d.]+ \[\d+ lua\]/;

function send(socket: Socket, ...args: string[]): void {
  let out = `*${args.length}\r\n`;
  for (const arg of args) out += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  socket.write(out);
}

/**
 * Opens MONITOR on `redisUrl`. `labelOf` names a command from its MONITOR line (e.g. a script by
 * its SHA). Markers are `ECHO` commands sent on a second connection around each counted window.
 */
export async function monitorCommands(
  redisUrl: string,
  prefix: string,
  labelOf: (line: string) => string,
): Promise<CommandCounter> {
  const url = new URL(redisUrl);
  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(Number(url.port || 6379), url.hostname, () => resolve(socket));
      socket.once('error', reject);
    });
  const monitor = await open();
  const marker = await open();
  marker.on('data', () => {});
  let pending = '';
  let window:
    | { start: string; end: string; counts: Map<string, number>; open: boolean }
    | undefined;
  let onEnd: (() => void) | undefined;
  monitor.setEncoding('utf8');
  monitor.on('data', (chunk: string) => {
    pending += chunk;
    let at = pending.indexOf('\r\n');
    while (at >= 0) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 2);
      at = pending.indexOf('\r\n');
      if (window === undefined) continue;
      if (line.includes(window.start)) window.open = true;
      else if (line.includes(window.end)) {
        window.open = false;
        onEnd?.();
      } else if (window.open && line.includes(prefix) && !FROM_SCRIPT.test(line)) {
        const label = labelOf(line);
        window.counts.set(label, (window.counts.get(label) ?? 0) + 1);
      }
    }
  });
  send(monitor, 'MONITOR');
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  await settle();
  return {
    async count(run) {
      const id = randomUUID();
      window = {
        start: `bench-start-${id}`,
        end: `bench-end-${id}`,
        counts: new Map(),
        open: false,
      };
      send(marker, 'ECHO', window.start);
      await settle();
      await run();
      // Let work that follows the last answer (releases) reach Redis before the end marker.
      await settle();
      // Waited for only once the run is over, however long the run took.
      const ended = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('MONITOR: end marker not seen')), 10_000);
        onEnd = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      send(marker, 'ECHO', window.end);
      await ended;
      return window.counts;
    },
    close() {
      monitor.destroy();
      marker.destroy();
    },
  };
}
