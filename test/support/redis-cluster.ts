import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Seed URLs (`redis://127.0.0.1:<port>`) of the three masters of the test cluster. */
    redisClusterUrls: string[];
  }
}

const run = promisify(execFile);

/** Masters of the test cluster; slots are spread evenly by `redis-cli --cluster create`. */
const NODES = 3;

/** Where port picking starts; a random offset keeps concurrent runs apart. */
const BASE_PORT = 7400;
const PORT_SPREAD = 2000;

/** Attempts at a set of free ports (another run may take one between the check and the bind). */
const ATTEMPTS = 5;

/** How long the cluster may take to start and agree (`cluster_state:ok` everywhere), in ms. */
const START_TIMEOUT_MS = 15_000;

/** How long a node may take to exit after SIGTERM before it gets SIGKILL, in ms. */
const STOP_TIMEOUT_MS = 3000;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` ports free on 127.0.0.1, each with its cluster bus port (+10000) free too. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  let port = BASE_PORT + Math.floor(Math.random() * PORT_SPREAD);
  while (ports.length < count) {
    if (port > BASE_PORT + PORT_SPREAD + 500) throw new Error('No free ports for the test cluster');
    if ((await portFree(port)) && (await portFree(port + 10_000))) ports.push(port);
    port++;
  }
  return ports;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stop(child: ChildProcess): Promise<void> {
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await done;
  clearTimeout(timer);
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: START_TIMEOUT_MS,
  });
  return stdout;
}

/** Resolves once every node answers PING; rejects when one exits first (its port was taken). */
async function untilUp(children: ChildProcess[], ports: number[], deadline: number) {
  for (const [i, port] of ports.entries()) {
    for (;;) {
      if (children[i]!.exitCode !== null) throw new Error(`redis-server on ${port} exited`);
      const pong = await cli(port, 'PING').catch(() => '');
      if (pong.trim() === 'PONG') break;
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not answer PING`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

async function untilClusterOk(ports: number[], deadline: number): Promise<void> {
  for (const port of ports) {
    for (;;) {
      const info = await cli(port, 'CLUSTER', 'INFO').catch(() => '');
      if (info.includes('cluster_state:ok')) break;
      if (Date.now() > deadline) {
        throw new Error(`The test cluster did not reach cluster_state:ok on ${port}: ${info}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function startNode(port: number, dir: string): ChildProcess {
  const child = spawn(
    'redis-server',
    [
      '--cluster-enabled',
      'yes',
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--cluster-config-file',
      join(dir, `nodes-${port}.conf`),
      '--dir',
      dir,
      '--daemonize',
      'no',
    ],
    { stdio: 'ignore' },
  );
  child.on('error', () => {});
  return child;
}

/**
 * Global setup of the `redis-cluster` test project: starts three `redis-server` processes in
 * cluster mode on free loopback ports (in a temporary directory), joins them with
 * `redis-cli --cluster create` (no replicas), waits until every node reports
 * `cluster_state:ok`, and provides their URLs as `redisClusterUrls`. The teardown kills the
 * processes it started, by PID, and removes the directory.
 */
export default async function redisCluster(project: TestProject): Promise<() => Promise<void>> {
  await run('redis-server', ['--version']).catch(() => {
    const error = new Error('The redis-cluster tests need redis-server and redis-cli on PATH');
    error.stack = error.message;
    throw error;
  });
  const dir = mkdtempSync(join(tmpdir(), 'mcps-cluster-'));
  const children: ChildProcess[] = [];
  // Should the run end without its teardown (an uncaught error), the nodes still go with it.
  const killAll = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  const teardown = async () => {
    process.off('exit', killAll);
    await Promise.all(children.map(stop));
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    let ports: number[] = [];
    for (let attempt = 1; ; attempt++) {
      ports = await freePorts(NODES);
      const started = ports.map((port) => startNode(port, dir));
      children.push(...started);
      try {
        await untilUp(started, ports, deadline);
        break;
      } catch (error) {
        await Promise.all(started.map(stop));
        if (attempt >= ATTEMPTS || Date.now() > deadline) throw error;
      }
    }
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run(
      'redis-cli',
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: START_TIMEOUT_MS },
    );
    await untilClusterOk(ports, deadline);
    project.provide(
      'redisClusterUrls',
      ports.map((port) => `redis://127.0.0.1:${port}`),
    );
  } catch (error) {
    await teardown();
    const failure = new Error(`Could not start the test Redis Cluster: ${String(error)}`);
    failure.stack = failure.message;
    throw failure;
  }
  return teardown;
}
