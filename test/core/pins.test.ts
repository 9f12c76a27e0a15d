import { afterEach, describe, expect, it } from 'vitest';
import type { PinChange } from '../../src/core/store.js';
import {
  MemoryStore,
  type SessionEndInfo,
  SessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import { Latch } from '../support/latch.js';

const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

const IDLE = 1000;

/** A store that records every call (name and pin change) and can hold touches at a latch. */
class RecordingStore extends FaultyStore {
  readonly calls: string[] = [];
  heldTouch: Latch | undefined;

  override touch: SessionStore['touch'] = async (id, now, policy, revive, owner, pin) => {
    this.calls.push(`touch${pinLabel(pin)}`);
    await this.heldTouch?.pass();
    return this.inner.touch(id, now, policy, revive, owner, pin);
  };
  override get: SessionStore['get'] = (...a) => {
    this.calls.push('get');
    return this.inner.get(...a);
  };
  override end: SessionStore['end'] = (...a) => {
    this.calls.push('end');
    return this.inner.end(...a);
  };
}

function pinLabel(pin: PinChange | undefined): string {
  if (pin === undefined) return '';
  return pin.hold ? ' hold' : ' drop';
}

function manager(store: SessionStore, clock: ManualClock, options: SessionManagerOptions = {}) {
  const m = new SessionManager({ store, clock, idleTtlMs: IDLE, autoStart: false, ...options });
  managers.push(m);
  return m;
}

describe('pins recorded in the store', () => {
  it('a request on an unpinned session costs two touches; with a stream open, one', async () => {
    const store = new RecordingStore();
    const sessions = manager(store, new ManualClock());
    const { id } = await sessions.create();
    store.calls.length = 0;

    const request = await sessions.acquire(id);
    if (request.status !== 'active') throw new Error('not active');
    await request.release();
    expect(store.calls).toEqual(['touch hold', 'touch drop']);

    const stream = await sessions.acquire(id);
    if (stream.status !== 'active') throw new Error('not active');
    store.calls.length = 0;
    const inner = await sessions.acquire(id);
    if (inner.status !== 'active') throw new Error('not active');
    await inner.release();
    await sessions.touch(id);
    expect(store.calls).toEqual(['touch hold', 'touch hold']);
    await stream.release();
  });

  it('a release while an acquire is under way keeps the pin recorded', async () => {
    const store = new RecordingStore();
    const sessions = manager(store, new ManualClock());
    const { id } = await sessions.create();
    const stream = await sessions.acquire(id);
    if (stream.status !== 'active') throw new Error('not active');
    store.heldTouch = new Latch();
    store.calls.length = 0;
    const next = sessions.acquire(id);
    await store.heldTouch.arrivals(1);
    const released = stream.release();
    await store.heldTouch.arrivals(2);
    store.heldTouch.open();
    await released;
    const lease = await next;
    expect(lease.status).toBe('active');
    expect(store.calls).toEqual(['touch hold', 'touch hold']);
    if (lease.status === 'active') await lease.release();
    expect(store.calls.at(-1)).toBe('touch drop');
  });

  it('another manager on the same store never evicts a session pinned here, until the pin lapses', async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const options = { maxSessions: 2, capacityPolicy: 'evict-oldest' } as const;
    const a = manager(store, clock, options);
    const b = manager(store, clock, options);
    const ended: SessionEndInfo[] = [];
    b.on('ended', (info) => ended.push(info));
    const pinned = await a.create();
    expect((await a.acquire(pinned.id)).status).toBe('active');
    clock.advance(1);
    const older = await b.create();
    clock.advance(1);
    const newer = await b.create();
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[older.id, 'evicted']]);

    // A stops renewing; B's touches keep the session alive, A's pin lapses one idle TTL on.
    clock.advance(IDLE / 2 - 2);
    await b.touch(pinned.id);
    await b.touch(newer.id);
    clock.advance(IDLE / 2 - 1);
    await b.touch(newer.id);
    await expect(b.create()).resolves.toMatchObject({ createdAt: clock.now() });
    expect(ended.map((e) => e.id)).toEqual([older.id, newer.id]);
    clock.advance(1);
    await b.create();
    expect(ended.map((e) => [e.id, e.reason]).at(-1)).toEqual([pinned.id, 'evicted']);
  });

  it('with idleTtlMs 0 pins are renewed every 90 s and last 3 min', async () => {
    const store = new RecordingStore();
    const clock = new ManualClock();
    const sessions = manager(store, clock, { idleTtlMs: 0 });
    const { id } = await sessions.create();
    expect((await sessions.acquire(id)).status).toBe('active');
    store.calls.length = 0;
    clock.advance(89_999);
    await sessions.sweep();
    expect(store.calls).toEqual([]);
    clock.advance(1);
    await sessions.sweep();
    expect(store.calls).toEqual(['touch hold']);
    const renewed = clock.now();
    const policy = sessions.policy;
    expect(await store.inner.evictOldest(renewed + 180_000 - 1, policy)).toBeUndefined();
    expect((await store.inner.evictOldest(renewed + 180_000, policy))?.session.id).toBe(id);
  });
});
