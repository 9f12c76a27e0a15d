import { afterEach, describe, expect, it } from 'vitest';
import {
  type EndReason,
  MemoryStore,
  type SessionEndInfo,
  SessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** A view of `store` that reports itself shared, as a networked store does. */
class SharedView extends FaultyStore {
  override get shared(): boolean {
    return true;
  }
}

/** A manager over `store`, recording its `ended` events and end-hook runs. */
function replica(store: SessionStore, clock: ManualClock, options: SessionManagerOptions = {}) {
  const manager = new SessionManager({
    store,
    clock,
    idleTtlMs: 1000,
    autoStart: false,
    ...options,
  });
  managers.push(manager);
  const ended: SessionEndInfo[] = [];
  const hooks: string[] = [];
  manager.on('ended', (info) => ended.push(info));
  const hold = (id: string) =>
    manager.onEnd(id, (info) => {
      hooks.push(`${info.id}:${info.reason}`);
    });
  return { manager, ended, hooks, hold };
}

const summary = (ended: SessionEndInfo[]): [string, EndReason][] =>
  ended.map((e) => [e.id, e.reason]);

describe('a sweep whose claim reply was lost', () => {
  it('emits ended and counts, once, for the sessions it held when it learns of their end', async () => {
    const clock = new ManualClock();
    const store = new FaultyStore(new MemoryStore());
    const { manager, ended, hooks, hold } = replica(store, clock);
    const a = await manager.create({ id: 'session-a' });
    const b = await manager.create({ id: 'session-b' });
    hold(a.id);
    hold(b.id);
    clock.advance(1001);
    store.loseClaimReplies = 1;
    await expect(manager.sweep()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(ended).toEqual([]);
    expect((await manager.resolve(a.id)).status).toBe('ended');

    expect(await manager.sweep()).toBe(0);
    expect(hooks.sort()).toEqual(['session-a:idle', 'session-b:idle']);
    expect(summary(ended).sort()).toEqual([
      ['session-a', 'idle'],
      ['session-b', 'idle'],
    ]);
    expect(ended[0]?.endedAt).toBe(clock.now());
    expect((await manager.stats()).ended.idle).toBe(2);

    await manager.sweep();
    await manager.resolve(a.id);
    expect(ended).toHaveLength(2);
  });

  it('fleet-wide: one ended per session on the normal path and on the lost-reply path', async () => {
    const clock = new ManualClock();
    const inner = new MemoryStore();
    const viewA = new SharedView(inner);
    const viewB = new SharedView(inner);
    const ra = replica(viewA, clock);
    const rb = replica(viewB, clock);

    // Normal path: B claims, A only runs its hooks from the tombstone.
    const first = await ra.manager.create({ id: 'session-first' });
    ra.hold(first.id);
    rb.hold(first.id);
    clock.advance(1001);
    expect(await rb.manager.sweep()).toBe(1);
    clock.advance(60_000);
    await ra.manager.sweep();
    expect(ra.hooks).toEqual(['session-first:idle']);
    expect(rb.hooks).toEqual(['session-first:idle']);
    expect([...summary(ra.ended), ...summary(rb.ended)]).toEqual([['session-first', 'idle']]);

    // Lost-reply path: A's claim runs but its reply is lost; both replicas held the session.
    const second = await rb.manager.create({ id: 'session-second' });
    ra.hold(second.id);
    rb.hold(second.id);
    clock.advance(1001);
    viewA.loseClaimReplies = 1;
    await expect(ra.manager.sweep()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    clock.advance(60_000);
    expect(await rb.manager.sweep()).toBe(0);
    await ra.manager.sweep();
    await ra.manager.sweep();
    expect(ra.hooks).toEqual(['session-first:idle', 'session-second:idle']);
    expect(rb.hooks).toEqual(['session-first:idle', 'session-second:idle']);
    expect(summary(ra.ended)).toEqual([['session-second', 'idle']]);
    expect(summary(rb.ended)).toEqual([['session-first', 'idle']]);
    expect((await ra.manager.stats()).ended.idle + (await rb.manager.stats()).ended.idle).toBe(2);
  });

  it('a tombstone written by another replica at another time emits nothing here', async () => {
    const clock = new ManualClock();
    const inner = new MemoryStore();
    const viewA = new SharedView(inner);
    const ra = replica(viewA, clock);
    const rb = replica(new SharedView(inner), clock);
    const mine = await ra.manager.create({ id: 'session-mine' });
    clock.advance(500);
    const theirs = await ra.manager.create({ id: 'session-theirs' });
    ra.hold(mine.id);
    ra.hold(theirs.id);
    clock.advance(501);
    viewA.loseClaimReplies = 1;
    await expect(ra.manager.sweep()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    clock.advance(500);
    expect(await rb.manager.sweep()).toBe(1);
    expect(summary(rb.ended)).toEqual([['session-theirs', 'idle']]);
    await ra.manager.sweep();
    expect(ra.hooks.sort()).toEqual(['session-mine:idle', 'session-theirs:idle']);
    expect(summary(ra.ended)).toEqual([['session-mine', 'idle']]);
  });
});
