import { afterEach, describe, expect, it } from 'vitest';
import { isSessionError, SessionManager } from '../../src/index.js';
import { SessionResources, type SessionResourcesOptions } from '../../src/resources/index.js';
import { FakeResource } from '../support/resources.js';

const create = () => new FakeResource('s', 'k');

describe('SessionResources options', () => {
  const managers: SessionManager[] = [];
  const pools: SessionResources<unknown>[] = [];
  function manager() {
    const m = new SessionManager({ autoStart: false });
    managers.push(m);
    return m;
  }
  function pool(options: SessionResourcesOptions<unknown>, m = manager()) {
    const p = new SessionResources(m, options);
    pools.push(p);
    return p;
  }
  afterEach(async () => {
    for (const p of pools.splice(0)) await p.close();
    for (const m of managers.splice(0)) await m.close();
  });

  function rejection(options: unknown): string {
    try {
      pool(options as SessionResourcesOptions<unknown>);
    } catch (error) {
      expect(isSessionError(error, 'INVALID_OPTION')).toBe(true);
      return (error as Error).message;
    }
    throw new Error('expected the options to be refused');
  }

  it.each([
    [{ create, idleTimeoutMs: -1 }, 'idleTimeoutMs', '-1', 'from 0 (never)'],
    [{ create, idleTimeoutMs: 1.5 }, 'idleTimeoutMs', '1.5', 'integer'],
    [{ create, maxFailures: 0 }, 'maxFailures', '0', 'or Infinity'],
    [{ create, closeTimeoutMs: 0 }, 'closeTimeoutMs', '0', 'from 1 to'],
    [{ create, sweepIntervalMs: 'fast' }, 'sweepIntervalMs', '"fast"', 'from 1 to'],
    [{ create, close: 'kill' }, 'close', '"kill"', 'a function'],
    [{ create, clock: {} }, 'clock', '{}', 'now()'],
    [{ create, autoStart: 1 }, 'autoStart', '1', 'true or false'],
    [{}, 'create', 'undefined', 'a function'],
  ])('refuses %o naming the field, the value and the range', (options, field, value, range) => {
    const message = rejection(options);
    expect(message).toContain(`\`${field}\``);
    expect(message).toContain(value);
    expect(message).toContain(range);
  });

  it('lists the accepted options for an unknown one', () => {
    const message = rejection({ create, idleTtlMs: 5 });
    expect(message).toContain('idleTtlMs');
    expect(message).toContain('idleTimeoutMs');
  });

  it('refuses options that are not an object', () => {
    expect(rejection(null)).toContain('must be an object');
  });

  it('refuses a first argument that is not a SessionManager', () => {
    expect(() => new SessionResources({} as SessionManager, { create })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('starts an unref()d sweeper by default; stop(), start() and close() control it', async () => {
    const p = pool({ create });
    expect(p.running).toBe(true);
    p.stop();
    expect(p.running).toBe(false);
    p.start();
    p.start();
    expect(p.running).toBe(true);
    await p.close();
    expect(p.running).toBe(false);
    expect(p.closed).toBe(true);
    expect(() => p.start()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(pool({ create, autoStart: false }).running).toBe(false);
  });

  it('closes idle resources from its own timer', async () => {
    const m = manager();
    const p = pool({ create, idleTimeoutMs: 20, sweepIntervalMs: 5 }, m);
    const { id } = await m.create();
    const resource = (await p.get(id, 'a')) as FakeResource;
    const closed = new Promise((resolve) => p.on('closed', resolve));
    await expect(closed).resolves.toEqual({ sessionId: id, key: 'a', reason: 'idle' });
    expect(resource.closes).toBe(1);
  });

  it("reads time from the manager's clock unless given one", async () => {
    let now = 0;
    const m = new SessionManager({ autoStart: false, clock: { now: () => now } });
    managers.push(m);
    const p = pool({ create, idleTimeoutMs: 100, autoStart: false }, m);
    const { id } = await m.create();
    await p.get(id, 'a');
    now = 100;
    expect(await p.sweep()).toBe(1);

    let own = 0;
    const q = pool({ create, idleTimeoutMs: 100, autoStart: false, clock: { now: () => own } }, m);
    await q.get(id, 'a');
    now = 1_000;
    expect(await q.sweep()).toBe(0);
    own = 100;
    expect(await q.sweep()).toBe(1);
  });
});
