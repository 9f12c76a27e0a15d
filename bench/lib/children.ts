/** Starts and queries benchmark server processes (see `./server-process.ts`). */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CpuWindow, ServerConfig, ServerStats, TrimResult } from './server-protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const EXEC_ARGV = [
  '--expose-gc',
  '--import',
  'tsx',
  '--import',
  pathToFileURL(join(root, 'scripts', 'lua-loader.mjs')).href,
];
const START_TIMEOUT_MS = 30_000;
const STATS_TIMEOUT_MS = 60_000;

/** A running server process. */
export interface ServerHandle {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: string;
  /** Forces garbage collection in the server process and answers its counts. */
  stats(): Promise<ServerStats>;
  /** Starts a CPU window: CPU time and requests count from now. */
  cpuStart(): Promise<void>;
  /** Ends the CPU window: the server's CPU time and the requests it received since `cpuStart`. */
  cpuStop(): Promise<CpuWindow>;
  /** Kind `fleet`: calls the handler's `trim()`; answers local transports before and after. */
  trim(): Promise<TrimResult>;
  /** Kind `fleet`: moves the manager's clock forward by `ms` (idle trimming reads it). */
  advanceClock(ms: number): Promise<void>;
  /** Ends the process and waits for it to exit. */
  stop(): Promise<void>;
}

function once<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`bench server: no ${type} message within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`bench server exited with ${code} before its ${type} message`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Forks a server process serving `config` and waits until it listens. */
export async function startServer(config: ServerConfig): Promise<ServerHandle> {
  const child = fork(join(here, 'server-process.ts'), [JSON.stringify(config)], {
    cwd: root,
    execArgv: EXEC_ARGV,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await once<{ port: number }>(child, 'ready', START_TIMEOUT_MS).catch(
    (error: unknown) => {
      child.kill();
      throw error;
    },
  );
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async stats() {
      const reply = once<{ stats: ServerStats }>(child, 'stats', STATS_TIMEOUT_MS);
      child.send({ type: 'stats' });
      return (await reply).stats;
    },
    async cpuStart() {
      const reply = once(child, 'cpu-started', STATS_TIMEOUT_MS);
      child.send({ type: 'cpu-start' });
      await reply;
    },
    async cpuStop() {
      const reply = once<{ cpu: CpuWindow }>(child, 'cpu', STATS_TIMEOUT_MS);
      child.send({ type: 'cpu-stop' });
      return (await reply).cpu;
    },
    async trim() {
      const reply = once<{ trim: TrimResult }>(child, 'trimmed', STATS_TIMEOUT_MS);
      child.send({ type: 'trim' });
      return (await reply).trim;
    },
    async advanceClock(ms) {
      const reply = once(child, 'clock-advanced', STATS_TIMEOUT_MS);
      child.send({ type: 'advance-clock', ms });
      await reply;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
