import { type ChildProcess, spawn } from 'node:child_process';
import type { DemoHealth } from '../../examples/demo-server.js';
import { REDIS_URL } from './redis.js';
import { within } from './wait.js';

/** How long a demo process may take to print its ready line under tsx on a loaded machine. */
export const REPLICA_START_TIMEOUT_MS = 60_000;

/** How long a stopped replica may take to exit after SIGTERM before it gets SIGKILL, in ms. */
export const REPLICA_STOP_TIMEOUT_MS = 3000;

/** Options of {@link startReplica}. */
export interface ReplicaOptions {
  /** The Redis key prefix every replica of the fleet shares (`--redis-prefix`). */
  readonly prefix: string;
  /** More demo flags (`--idle-ttl-ms`, `--max-sessions`, ...). @default [] */
  readonly args?: readonly string[];
  /** More environment variables (`MCP_DEMO_CLOCK_OFFSET_MS`, ...). @default {} */
  readonly env?: Readonly<Record<string, string>>;
}

/** A demo server running as a child process on Redis. */
export interface Replica {
  readonly pid: number;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Everything the process printed, stdout and stderr. */
  readonly output: () => string;
  /** Its `/healthz` answer; rejects when the process does not answer. */
  health(): Promise<DemoHealth>;
  /** SIGTERM, then SIGKILL after {@link REPLICA_STOP_TIMEOUT_MS}; resolves once it exited. */
  stop(): Promise<void>;
  /** SIGKILL at once, as a crash; resolves once it exited. */
  kill(): Promise<void>;
}

const running = new Set<ChildProcess>();

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const done = exited(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  if (signal !== 'SIGKILL') {
    await within(done, 'the replica to exit', REPLICA_STOP_TIMEOUT_MS).catch(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }
  await within(done, 'the replica to exit after SIGKILL');
  running.delete(child);
}

/**
 * Starts `examples/demo-server.ts` as a child process on 127.0.0.1 (a free port) with the Redis
 * store of the tests, and waits for its ready line. Rejects with its output when it exits first
 * or takes longer than {@link REPLICA_START_TIMEOUT_MS} (the process is then killed).
 */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const args = [
    '--import',
    'tsx',
    '--import',
    './scripts/lua-loader.mjs',
    'examples/demo-server.ts',
    '--port',
    '0',
    '--redis-prefix',
    options.prefix,
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: process.cwd(),
    env: { ...process.env, REDIS_URL, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const url = output.match(/health at (http:\/\/127\.0\.0\.1:\d+)\/healthz/)?.[1];
      if (url !== undefined) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`replica exited (${code}):\n${output}`)));
  });
  let url: string;
  try {
    url = await within(ready, 'a replica to start', REPLICA_START_TIMEOUT_MS);
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
  return {
    pid: child.pid!,
    url,
    output: () => output,
    async health() {
      const answer = await fetch(`${url}/healthz`);
      if (answer.status !== 200)
        throw new Error(`healthz ${answer.status}: ${await answer.text()}`);
      return (await answer.json()) as DemoHealth;
    },
    stop: () => stopChild(child, 'SIGTERM'),
    kill: () => stopChild(child, 'SIGKILL'),
  };
}

/** Stops every replica still running (SIGTERM, then SIGKILL): for `afterAll`/`afterEach`. */
export async function stopAllReplicas(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, 'SIGTERM')));
}
