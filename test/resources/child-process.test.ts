import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { SessionResources } from '../../src/resources/index.js';

/** Whether a process with this PID still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kills the child and waits for it to exit; SIGKILL if SIGTERM is not enough within 2 s. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

describe('SessionResources with a spawned process as the resource', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(kill));
  });

  async function world(ready: () => Promise<unknown> = async () => undefined) {
    const manager = new SessionManager({ autoStart: false });
    const exits: { pid: number; signal: NodeJS.Signals | null }[] = [];
    const pool = new SessionResources<ChildProcess>(manager, {
      create: async () => {
        const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
          stdio: 'ignore',
        });
        children.push(child);
        child.once('exit', (_code, signal) => exits.push({ pid: child.pid!, signal }));
        await once(child, 'spawn');
        await ready();
        return child;
      },
      close: kill,
      closeTimeoutMs: 5_000,
      autoStart: false,
    });
    return { manager, pool, exits };
  }

  it('kills the process when its session ends', async () => {
    const { manager, pool, exits } = await world();
    const { id } = await manager.create();
    const child = await pool.get(id, 'stdio-server');
    const pid = child.pid!;
    expect(alive(pid)).toBe(true);
    expect(await pool.get(id, 'stdio-server')).toBe(child);

    await manager.end(id, 'deleted');

    expect(exits).toEqual([{ pid, signal: 'SIGTERM' }]);
    expect(alive(pid)).toBe(false);
    expect(pool.stats()).toMatchObject({ resources: 0, closed: { 'session-ended': 1 } });
    await pool.close();
    await manager.close();
  });

  it('kills every process of every session on manager close', async () => {
    const { manager, pool, exits } = await world();
    const one = await manager.create();
    const two = await manager.create();
    const pids = [
      (await pool.get(one.id, 'a')).pid!,
      (await pool.get(one.id, 'b')).pid!,
      (await pool.get(two.id, 'a')).pid!,
    ];
    expect(pids.every(alive)).toBe(true);

    await manager.close();

    expect(exits.map((e) => e.pid).sort()).toEqual([...pids].sort());
    expect(pids.some(alive)).toBe(false);
    await pool.close();
  });

  it('kills a process that finishes starting after its session ended', async () => {
    let started!: () => void;
    const spawning = new Promise<void>((resolve) => (started = resolve));
    let proceed!: () => void;
    const gate = new Promise<void>((resolve) => (proceed = resolve));
    const { manager, pool, exits } = await world(() => {
      started();
      return gate;
    });
    const { id } = await manager.create();
    const get = pool.get(id, 'stdio-server');
    await spawning;
    const pid = children[0]!.pid!;
    expect(alive(pid)).toBe(true);

    await manager.end(id);
    const closed = new Promise((resolve) => pool.on('closed', resolve));
    proceed();

    await expect(get).rejects.toMatchObject({ code: 'SESSION_ENDED', reason: 'closed' });
    await closed;
    expect(exits).toEqual([{ pid, signal: 'SIGTERM' }]);
    expect(alive(pid)).toBe(false);
    await pool.close();
    await manager.close();
  });
});
