import { afterEach, describe, expect, it } from 'vitest';
import type { SessionManager } from '../../src/index.js';
import {
  isResourceError,
  type ResourceCloseContext,
  type ResourceError,
  SessionResources,
} from '../../src/resources/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FakeResource, setup } from '../support/resources.js';

describe('SessionResources closers', () => {
  const open: { pool: SessionResources<unknown>; manager: SessionManager }[] = [];
  function world(...args: Parameters<typeof setup>) {
    const w = setup(...args);
    open.push(w as unknown as { pool: SessionResources<unknown>; manager: SessionManager });
    return w;
  }
  afterEach(async () => {
    for (const { pool, manager } of open.splice(0)) {
      await pool.close();
      await manager.close();
    }
  });

  it('reports a close that outlives closeTimeoutMs and stops waiting for it', async () => {
    const w = world({ closeTimeoutMs: 20, close: () => new Promise(() => undefined) });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    const started = performance.now();
    expect(await w.pool.delete(id, 'a')).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(w.failures).toHaveLength(1);
    const failure = w.failures[0]!;
    expect(failure).toMatchObject({ phase: 'close', sessionId: id, key: 'a' });
    expect(isResourceError(failure.error, 'CLOSE_TIMEOUT')).toBe(true);
    expect(w.pool.stats().closeFailures).toBe(1);
    expect(w.closed).toEqual([{ sessionId: id, key: 'a', reason: 'deleted' }]);
  });

  it('reports a failing close instead of throwing it into manager.end', async () => {
    const cause = new Error('socket already gone');
    const w = world({
      close: () => {
        throw cause;
      },
    });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    await w.pool.get(id, 'b');
    const managerErrors: unknown[] = [];
    w.manager.on('error', (failure) => managerErrors.push(failure));
    expect(await w.manager.end(id)).toBe(true);
    expect(w.failures.map((f) => (f.error as ResourceError).code)).toEqual([
      'CLOSE_FAILED',
      'CLOSE_FAILED',
    ]);
    expect((w.failures[0]!.error as ResourceError).cause).toBe(cause);
    expect(managerErrors).toEqual([]);
    expect(w.closed.map((c) => c.key).sort()).toEqual(['a', 'b']);
    expect(w.pool.stats().closeFailures).toBe(2);
  });

  it('sends contained failures to the logger when one is given', async () => {
    const logged: unknown[] = [];
    const w = world({
      logger: { error: (message, details) => logged.push({ message, details }) },
      close: () => Promise.reject(new Error('nope')),
    });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    await w.pool.delete(id, 'a');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      message: 'mcp-sessions: contained resource failure',
      details: { phase: 'close', key: 'a' },
    });
  });

  it('reports a throwing event listener and keeps going', async () => {
    const w = world();
    w.pool.on('created', () => {
      throw new Error('listener bug');
    });
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    expect(a).toBeInstanceOf(FakeResource);
    expect(w.failures).toHaveLength(1);
    expect(w.failures[0]).toMatchObject({ phase: 'listener', sessionId: id, key: 'a' });
  });

  it('calls the close option with the resource and why it closes', async () => {
    const calls: [unknown, ResourceCloseContext][] = [];
    const w = world({ close: (resource, context) => void calls.push([resource, context]) });
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    const b = await w.pool.get(id, 'b');
    await w.pool.delete(id, 'a');
    await w.manager.end(id);
    expect(calls).toEqual([
      [a, { sessionId: id, key: 'a', reason: 'deleted' }],
      [b, { sessionId: id, key: 'b', reason: 'session-ended' }],
    ]);
    expect([a.closes, b.closes]).toEqual([0, 0]);
  });

  it('awaits an async close before the session end resolves', async () => {
    let finished = false;
    const w = world({
      close: async () => {
        await new Promise((r) => setTimeout(r, 10));
        finished = true;
      },
    });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    await w.manager.end(id);
    expect(finished).toBe(true);
  });

  it('finds Symbol.asyncDispose, close(), dispose() and Symbol.dispose, in that order', async () => {
    const log: string[] = [];
    const kinds: Record<string, () => unknown> = {
      asyncDispose: () => ({
        [Symbol.asyncDispose]: async () => void log.push('asyncDispose'),
        close: () => log.push('wrong: close'),
      }),
      close: () => ({ close: () => log.push('close'), dispose: () => log.push('wrong: dispose') }),
      dispose: () => ({ dispose: () => log.push('dispose') }),
      syncDispose: () => ({ [Symbol.dispose]: () => log.push('syncDispose') }),
      fn: () => Object.assign(() => undefined, { close: () => log.push('fn') }),
    };
    const clock = new ManualClock();
    const w = world();
    const pool = new SessionResources<unknown>(w.manager, {
      create: ({ key }) => kinds[key]!(),
      autoStart: false,
      clock,
    });
    open.push({ pool, manager: w.manager });
    const { id } = await w.manager.create();
    for (const key of Object.keys(kinds)) await pool.get(id, key);
    await w.manager.end(id);
    expect(log.sort()).toEqual(['asyncDispose', 'close', 'dispose', 'fn', 'syncDispose']);
  });

  it('refuses a resource it could not close, and caches nothing', async () => {
    const w = world({ create: () => ({ name: 'no close here' }) as unknown as FakeResource });
    const { id } = await w.manager.create();
    const error = await w.pool.get(id, 'a').catch((e: unknown) => e);
    expect(isResourceError(error, 'INVALID_RESOURCE')).toBe(true);
    expect((error as Error).message).toContain('`close` option');
    expect(w.pool.stats()).toMatchObject({ resources: 0, createFailures: 1, sessions: 0 });
    await expect(w.pool.get(id, 'b')).rejects.toSatisfy((e) =>
      isResourceError(e, 'INVALID_RESOURCE'),
    );
  });

  it('accepts any value, even null, when a close option is given', async () => {
    const closedValues: unknown[] = [];
    const w = world();
    const pool = new SessionResources<null>(w.manager, {
      create: () => null,
      close: (value) => void closedValues.push(value),
      autoStart: false,
    });
    open.push({ pool: pool as SessionResources<unknown>, manager: w.manager });
    const { id } = await w.manager.create();
    expect(await pool.get(id, 'a')).toBeNull();
    expect(pool.has(id, 'a')).toBe(true);
    await pool.delete(id, 'a');
    expect(closedValues).toEqual([null]);
  });
});
