import { afterEach, describe, expect, it } from 'vitest';
import {
  isSessionError,
  type SessionEndInfo,
  SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

const managers: SessionManager[] = [];

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const manager = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  managers.push(manager);
  const ended: SessionEndInfo[] = [];
  manager.on('ended', (info) => ended.push(info));
  return { clock, manager, ended };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('maxSessionsPerOwner', () => {
  it('refuses an owner at its quota with OWNER_QUOTA naming the limit, not the owner', async () => {
    const { manager } = setup({ maxSessionsPerOwner: 2 });
    await manager.create({ owner: 'secret-user-7' });
    await manager.create({ owner: 'secret-user-7' });
    const error = await refusal(manager.create({ owner: 'secret-user-7' }));
    expect(isSessionError(error, 'OWNER_QUOTA')).toBe(true);
    expect(error.message).toContain('maxSessionsPerOwner = 2');
    expect(error.message).not.toContain('secret-user-7');
    const registered = await refusal(
      manager.register('registered-id-0123456789', { owner: 'secret-user-7' }),
    );
    expect(isSessionError(registered, 'OWNER_QUOTA')).toBe(true);
    expect((await manager.resolve('registered-id-0123456789')).status).toBe('unknown');
    // Other owners and sessions without an owner are not affected.
    await manager.create({ owner: 'other' });
    for (let i = 0; i < 3; i++) await manager.create();
    expect(await manager.count()).toBe(6);
  });

  it('frees a slot when one of the owner’s sessions ends or is swept', async () => {
    const { manager, clock } = setup({ maxSessionsPerOwner: 2 });
    const a = await manager.create({ owner: 'u' });
    clock.advance(600);
    const b = await manager.create({ owner: 'u' });
    await manager.end(a.id);
    clock.advance(300);
    const c = await manager.create({ owner: 'u' });
    await expect(manager.create({ owner: 'u' })).rejects.toMatchObject({ code: 'OWNER_QUOTA' });
    clock.advance(700);
    expect(await manager.sweep()).toBe(1);
    expect((await manager.listByOwner('u')).map((s) => s.id)).toEqual([c.id]);
    const d = await manager.create({ owner: 'u' });
    expect((await manager.listByOwner('u')).map((s) => s.id)).toEqual([c.id, d.id]);
    expect((await manager.resolve(b.id, { owner: 'u' })).status).toBe('ended');
  });

  it('never evicts for a quota, even under evict-oldest at maxSessions', async () => {
    const { manager, clock, ended } = setup({
      maxSessions: 3,
      maxSessionsPerOwner: 2,
      capacityPolicy: 'evict-oldest',
    });
    const first = await manager.create();
    clock.advance(1);
    await manager.create({ owner: 'u' });
    clock.advance(1);
    await manager.create({ owner: 'u' });
    await expect(manager.create({ owner: 'u' })).rejects.toMatchObject({ code: 'OWNER_QUOTA' });
    expect(ended).toEqual([]);
    expect(await manager.count()).toBe(3);
    // Another owner at the global cap still evicts the oldest, as before.
    await manager.create({ owner: 'v' });
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[first.id, 'evicted']]);
  });

  it('sets no limit by default', async () => {
    const { manager } = setup();
    for (let i = 0; i < 50; i++) await manager.create({ owner: 'u' });
    expect(await manager.listByOwner('u')).toHaveLength(50);
  });
});

describe('listByOwner', () => {
  it('answers detached copies of the owner’s sessions, oldest first, by kind and limit', async () => {
    const { manager, clock } = setup();
    const a = await manager.create({ owner: 'u', kind: 'handle', data: { n: 1 } });
    clock.advance(1);
    const b = await manager.create({ owner: 'u', kind: 'sse' });
    clock.advance(1);
    const c = await manager.create({ owner: 'u', kind: 'handle' });
    await manager.create({ owner: 'v', kind: 'handle' });
    await manager.create({ kind: 'handle' });

    const all = await manager.listByOwner('u');
    expect(all).toEqual([a, b, c]);
    expect(Object.getPrototypeOf(all[0])).toBe(Object.prototype);
    (all[0] as { data: unknown }).data = 'changed';
    expect((await manager.listByOwner('u'))[0]?.data).toEqual({ n: 1 });
    expect(await manager.listByOwner('u', { kind: 'handle' })).toEqual([a, c]);
    expect(await manager.listByOwner('u', { kind: 'handle', limit: 1 })).toEqual([a]);
    expect(await manager.listByOwner('u', { limit: Infinity })).toEqual([a, b, c]);
    expect(await manager.listByOwner('nobody')).toEqual([]);
  });

  it.each([
    ['an empty owner', '', undefined, /`owner`/],
    ['a missing owner', undefined, undefined, /`owner`: it is required/],
    ['an empty kind', 'u', { kind: '' }, /`kind`/],
    ['a zero limit', 'u', { limit: 0 }, /`limit`: expected an integer >= 1, or Infinity, got 0/],
    ['a fractional limit', 'u', { limit: 1.5 }, /`limit`.*got 1\.5/],
  ])('refuses %s with INVALID_ARGUMENT', async (_name, owner, options, message) => {
    const { manager } = setup();
    const error = await refusal(manager.listByOwner(owner as string, options));
    expect(isSessionError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('rejects with STORE_UNAVAILABLE when the store fails, and CLOSED once closed', async () => {
    const store = new FaultyStore();
    const { manager } = setup({ store });
    store.failing = true;
    await expect(manager.listByOwner('u')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    store.failing = false;
    await manager.close();
    await expect(manager.listByOwner('u')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
