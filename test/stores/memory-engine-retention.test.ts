import { describe, expect, it } from 'vitest';
import type { StorePolicy } from '../../src/core/store.js';
import { MemoryEngine } from '../../src/stores/memory/engine.js';

const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 1_000,
  maxLifetimeMs: 3_600_000,
  tombstoneTtlMs: 60_000,
  maxTombstones: 10_000,
  maxSessions: Infinity,
});

const NONE = { sessions: 0, listed: 0, refiled: 0, lifetimes: 0, owned: 0 };

describe('MemoryEngine: an ended session is held by no index', () => {
  it('drops a session ended by DELETE from every index at once, with a maximum lifetime set', () => {
    const engine = new MemoryEngine();
    let now = 1_000;
    for (let i = 0; i < 100; i++) {
      engine.create({ id: `s${i}`, createdAt: now, init: '{"method":"initialize"}' }, POLICY);
      now++;
    }
    expect(engine.heldNodes()).toEqual({ ...NONE, sessions: 100, listed: 100, lifetimes: 100 });
    for (let i = 0; i < 100; i++) engine.end(`s${i}`, 'deleted', now, POLICY);
    expect(engine.heldNodes()).toEqual(NONE);
  });

  it('drops touched and refiled sessions from every index when they end', () => {
    const engine = new MemoryEngine();
    let now = 1_000;
    for (let i = 0; i < 10; i++) engine.create({ id: `s${i}`, createdAt: now }, POLICY);
    now += 600;
    for (let i = 0; i < 5; i++) engine.touch(`s${i}`, now, POLICY);
    now += 600;
    // The sweep ends the untouched half and files the touched half again, in the heap.
    expect(engine.claimExpired(now, 100, POLICY).map((e) => e.session.id)).toHaveLength(5);
    expect(engine.heldNodes()).toEqual({ ...NONE, sessions: 5, refiled: 5, lifetimes: 5 });
    for (let i = 0; i < 5; i++) engine.end(`s${i}`, 'deleted', now, POLICY);
    expect(engine.heldNodes()).toEqual(NONE);
  });

  it('drops a session ended by its lifetime from every index', () => {
    const engine = new MemoryEngine();
    const policy = { ...POLICY, idleTtlMs: 0, maxLifetimeMs: 500 };
    engine.create({ id: 'a', createdAt: 1_000 }, policy);
    engine.create({ id: 'b', createdAt: 1_200 }, policy);
    expect(engine.claimExpired(1_500, 100, policy).map((e) => e.session.id)).toEqual(['a']);
    expect(engine.heldNodes()).toEqual({ ...NONE, sessions: 1, listed: 1, lifetimes: 1 });
    engine.end('b', 'deleted', 1_500, policy);
    expect(engine.heldNodes()).toEqual(NONE);
  });

  it('drops owned sessions from the owner index whether ended, claimed or refused', () => {
    const engine = new MemoryEngine();
    const policy = { ...POLICY, maxSessionsPerOwner: 2 };
    engine.create({ id: 'a', owner: 'u', createdAt: 1_000 }, policy);
    engine.create({ id: 'b', owner: 'u', createdAt: 1_000 }, policy);
    expect(engine.create({ id: 'c', owner: 'u', createdAt: 1_000 }, policy)).toBe('owner-full');
    expect(engine.heldNodes()).toEqual({
      ...NONE,
      sessions: 2,
      listed: 2,
      lifetimes: 2,
      owned: 2,
    });
    engine.end('a', 'deleted', 1_100, policy);
    expect(engine.claimExpired(2_500, 100, policy).map((e) => e.session.id)).toEqual(['b']);
    expect(engine.heldNodes()).toEqual(NONE);
  });
});
