import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SessionError, SessionManager, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { ioRedis, nodeRedis, testPrefix } from '../support/redis.js';
import { waitFor } from '../support/wait.js';

const TIMEOUT_MS = 300;
/** How late a rejection may come after the command timeout (event loop, reconnect noise). */
const SLACK_MS = 700;

let child: ChildProcess | undefined;
let port = 0;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts a throwaway redis-server without persistence on `port`, resolved once it accepts. */
async function startRedis(): Promise<void> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = proc;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start: ${output}`)),
      5000,
    );
    proc.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
}

async function stopRedis(): Promise<void> {
  const proc = child;
  child = undefined;
  if (proc === undefined || proc.exitCode !== null) return;
  proc.kill('SIGCONT');
  proc.kill('SIGKILL');
  await once(proc, 'exit');
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
});
afterAll(stopRedis);

async function rejectionWithin(
  promise: Promise<unknown>,
): Promise<{ error: SessionError; ms: number }> {
  const started = performance.now();
  try {
    await promise;
  } catch (error) {
    return { error: error as SessionError, ms: performance.now() - started };
  }
  throw new Error('expected a rejection');
}

const clients = [
  [
    'node-redis',
    async () => {
      const client = await nodeRedis(`redis://127.0.0.1:${port}`);
      return { client, ready: () => client.isReady, close: () => client.destroy() };
    },
  ],
  [
    'ioredis',
    async () => {
      const client = await ioRedis(`redis://127.0.0.1:${port}`);
      return { client, ready: () => client.status === 'ready', close: () => client.disconnect() };
    },
  ],
] as const;

describe.each(clients)('Redis outage (%s)', (_, connect) => {
  async function setup() {
    const { client, ready, close } = await connect();
    const clock = new ManualClock(systemClock.now());
    const sessions = new SessionManager({
      store: new RedisStore({ client, prefix: testPrefix('outage'), commandTimeoutMs: TIMEOUT_MS }),
      clock,
      idleTtlMs: 60_000,
      autoStart: false,
    });
    const ended: string[] = [];
    const hooks: string[] = [];
    sessions.on('ended', (info) => ended.push(info.id));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await sessions.create({ owner: 'o' });
      sessions.onEnd(id, () => {
        hooks.push(id);
      });
      ids.push(id);
    }
    // Warm every script, so the outage hits the hot path (EVALSHA of a loaded script).
    const warm = await sessions.create({ owner: 'o' });
    await sessions.resolve(warm.id, { owner: 'o' });
    const lease = await sessions.acquire(warm.id, { owner: 'o' });
    if (lease.status === 'active') await lease.release();
    await sessions.end(warm.id);
    await sessions.sweep();
    await sessions.count();
    ended.length = 0;
    // Ended by an explicit call during the outage: that write may still apply once Redis wakes.
    const victim = (await sessions.create({ owner: 'o' })).id;
    return { sessions, clock, ready, close, ended, hooks, ids, victim };
  }

  async function expectUnavailable(
    sessions: SessionManager,
    id: string,
    victim: string,
  ): Promise<void> {
    for (const call of [
      () => sessions.resolve(id, { owner: 'o' }),
      () => sessions.touch(id, { owner: 'o' }),
      () => sessions.acquire(id, { owner: 'o' }),
      () => sessions.create({ owner: 'o' }),
      () => sessions.end(victim),
      () => sessions.sweep(),
      () => sessions.count(),
    ]) {
      const { error, ms } = await rejectionWithin(call());
      expect(error.code).toBe('STORE_UNAVAILABLE');
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
  }

  it('an unresponsive Redis rejects within the timeout, ends nothing, and the same sessions work again', async () => {
    const { sessions, clock, close, ended, hooks, ids, victim } = await setup();
    try {
      child!.kill('SIGSTOP');
      try {
        await expectUnavailable(sessions, ids[0]!, victim);
        clock.advance(30_000);
        expect(ended).toEqual([]);
        expect(hooks).toEqual([]);
      } finally {
        child!.kill('SIGCONT');
      }
      for (const id of ids) {
        expect(await sessions.touch(id, { owner: 'o' })).toMatchObject({
          status: 'active',
          session: { id },
        });
      }
      expect(ended).toEqual([]);
      expect(hooks).toEqual([]);
    } finally {
      await sessions.close();
      close();
    }
  });

  it('a Redis that went away rejects fast, and the client recovers when it is back', async () => {
    const { sessions, ready, close, ended, hooks, ids, victim } = await setup();
    try {
      await stopRedis();
      await expectUnavailable(sessions, ids[0]!, victim);
      expect(ended).toEqual([]);
      expect(hooks).toEqual([]);
      await startRedis();
      await waitFor(ready, 'the client to reconnect');
      // A restart without persistence lost the data; the store works again right away.
      const { id } = await sessions.create({ owner: 'o' });
      expect((await sessions.touch(id, { owner: 'o' })).status).toBe('active');
      expect(ended).toEqual([]);
    } finally {
      await sessions.close();
      close();
    }
  });
});
