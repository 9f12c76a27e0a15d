import { describe, expect, it, onTestFinished } from 'vitest';
import {
  type SessionCounters,
  SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const sessions = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  onTestFinished(() => sessions.close());
  return { clock, sessions };
}

const ZERO: SessionCounters = {
  created: 0,
  ended: { idle: 0, lifetime: 0, deleted: 0, closed: 0, evicted: 0, shutdown: 0 },
  rejected: { capacity: 0, ownerQuota: 0, rateLimited: 0, badInput: 0 },
  notFound: 0,
  expired: 0,
  restored: 0,
  storeFailures: 0,
};

describe('SessionManager.counters()', () => {
  it('starts at zero and answers a new plain snapshot each call', async () => {
    const { sessions } = setup();
    const first = sessions.counters();
    expect(first).toEqual(ZERO);
    await sessions.create();
    expect(first.created).toBe(0);
    expect(sessions.counters().created).toBe(1);
    expect(sessions.counters()).not.toBe(sessions.counters());
  });

  it('counts created and ended by reason, once per session', async () => {
    const { sessions, clock } = setup({ maxSessions: 2, capacityPolicy: 'evict-oldest' });
    const a = await sessions.create();
    const b = await sessions.create();
    await sessions.end(a.id, 'deleted');
    await sessions.end(a.id, 'deleted');
    await sessions.create();
    await sessions.create(); // evicts b
    clock.advance(1000);
    await sessions.sweep();
    const counters = sessions.counters();
    expect(counters.created).toBe(4);
    expect(counters.ended).toEqual({ ...ZERO.ended, deleted: 1, evicted: 1, idle: 2 });
    expect((await sessions.resolve(b.id)).status).toBe('ended');
    expect((await sessions.stats()).ended).toEqual(counters.ended);
  });

  it('counts refused creates by cause: capacity, owner quota, creation rate (not malformed calls)', async () => {
    const { sessions } = setup({
      maxSessions: 3,
      maxSessionsPerOwner: 1,
      creationRate: { perOwner: 1, windowMs: 60_000 },
    });
    await sessions.create({ owner: 'alice' });
    await expect(sessions.create({ owner: 'alice' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    await sessions.create({ owner: 'bob' });
    await sessions.end((await sessions.listByOwner('bob'))[0]!.id);
    await expect(sessions.create({ owner: 'alice', id: 'x'.repeat(300) })).rejects.toMatchObject({
      code: 'INVALID_SESSION_ID',
    });
    await expect(sessions.create({ data: () => 1 } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await sessions.create();
    await sessions.create();
    await expect(sessions.create()).rejects.toMatchObject({ code: 'CAPACITY' });
    const quota = setup({ maxSessionsPerOwner: 1 }).sessions;
    await quota.create({ owner: 'carol' });
    await expect(quota.create({ owner: 'carol' })).rejects.toMatchObject({ code: 'OWNER_QUOTA' });
    expect(sessions.counters().rejected).toEqual({
      capacity: 1,
      ownerQuota: 0,
      rateLimited: 1,
      badInput: 0,
    });
    expect(quota.counters().rejected).toEqual({ ...ZERO.rejected, ownerQuota: 1 });
    expect(sessions.counters().created).toBe(4);
  });

  it('counts lookups answered unknown (never seen, or another owner) and ended', async () => {
    const { sessions } = setup();
    const mine = await sessions.create({ owner: 'alice' });
    const gone = await sessions.create();
    await sessions.end(gone.id);
    expect((await sessions.resolve('never-seen')).status).toBe('unknown');
    expect((await sessions.touch(mine.id, { owner: 'bob' })).status).toBe('unknown');
    expect((await sessions.acquire(mine.id)).status).toBe('unknown');
    expect((await sessions.acquire(gone.id)).status).toBe('ended');
    expect((await sessions.resolve(gone.id)).status).toBe('ended');
    const lease = await sessions.acquire(mine.id, { owner: 'alice' });
    expect(lease.status).toBe('active');
    if (lease.status === 'active') await lease.release();
    expect(sessions.counters()).toMatchObject({ notFound: 3, expired: 2 });
  });

  it('counts each store failure once, whether it rejects a call or is contained', async () => {
    const store = new FaultyStore();
    const { sessions } = setup({ store });
    const a = await sessions.create();
    sessions.on('error', () => {});
    store.failing = true;
    await expect(sessions.touch(a.id)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(sessions.create()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(sessions.end(a.id)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(sessions.list()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(sessions.stats()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(sessions.sweep()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(sessions.counters().storeFailures).toBe(6);
    expect(sessions.counters().rejected).toEqual(ZERO.rejected);
    store.failing = false;
    expect((await sessions.resolve(a.id)).status).toBe('active');
    expect(sessions.counters().storeFailures).toBe(6);
  });

  it('counts what adapters note: restores and client mistakes', () => {
    const { sessions } = setup();
    sessions.noteAdapterEvent('restored');
    sessions.noteAdapterEvent('badInput');
    sessions.noteAdapterEvent('badInput');
    expect(sessions.counters()).toMatchObject({ restored: 1, rejected: { badInput: 2 } });
  });
});
