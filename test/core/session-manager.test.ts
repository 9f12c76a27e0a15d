import { afterEach, describe, expect, it } from 'vitest';
import {
  type EndReason,
  isSessionError,
  MemoryStore,
  type SessionEndInfo,
  type SessionFailure,
  SessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

const managers: SessionManager[] = [];

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const manager = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  managers.push(manager);
  const ended: SessionEndInfo[] = [];
  const failures: SessionFailure[] = [];
  manager.on('ended', (info) => ended.push(info));
  manager.on('error', (failure) => failures.push(failure));
  return { clock, manager, ended, failures };
}

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** A view of a memory store that reports itself shared, as a networked store does. */
function sharedView(store: MemoryStore): SessionStore {
  const view = Object.create(store) as SessionStore & { shared: boolean };
  Object.defineProperty(view, 'shared', { value: true });
  for (const method of [
    'create',
    'get',
    'touch',
    'end',
    'claimExpired',
    'evictOldest',
    'count',
    'list',
    'close',
  ] as const) {
    (view as unknown as Record<string, unknown>)[method] = (
      store[method] as (...a: unknown[]) => unknown
    ).bind(store);
  }
  return view;
}

describe('create and register', () => {
  it('creates a session with a UUID v4 and the given fields, and emits created', async () => {
    const { manager, clock } = setup();
    const created: string[] = [];
    manager.on('created', (s) => created.push(s.id));
    const session = await manager.create({
      owner: 'u1',
      kind: 'streamable-http',
      data: { a: 1 },
      init: { m: 'i' },
    });
    expect(session.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(session).toMatchObject({
      owner: 'u1',
      kind: 'streamable-http',
      data: { a: 1 },
      init: '{"m":"i"}',
      createdAt: clock.now(),
      lastSeenAt: clock.now(),
    });
    expect(created).toEqual([session.id]);
    expect(await manager.count()).toBe(1);
  });

  it('registers an external ID and refuses duplicates and ended IDs', async () => {
    const { manager } = setup();
    await manager.register('ext-1');
    await expect(manager.register('ext-1')).rejects.toMatchObject({ code: 'SESSION_EXISTS' });
    await manager.end('ext-1');
    await expect(manager.register('ext-1')).rejects.toMatchObject({ code: 'SESSION_EXISTS' });
  });

  it('refuses invalid IDs with INVALID_SESSION_ID', async () => {
    const { manager } = setup();
    for (const bad of ['', 'has space', 'tab\t', 'é', 'x'.repeat(257), '\u007f']) {
      await expect(manager.register(bad)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
      await expect(manager.resolve(bad)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
    }
    await expect(manager.register('!~')).resolves.toMatchObject({ id: '!~' });
    await expect(manager.register('x'.repeat(256))).resolves.toBeDefined();
  });

  it('refuses a generator that makes invalid IDs, at construction or at create()', async () => {
    expect(() => setup({ generateId: () => 'not valid' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    let calls = 0;
    const { manager } = setup({
      generateId: () => (++calls > 8 ? 'not valid' : `probe-id-${calls}-0000000000`),
    });
    await expect(manager.create()).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringContaining('`generateId`'),
    });
    expect(await manager.count()).toBe(0);
  });

  it('refuses malformed owner, kind, data and init', async () => {
    const { manager } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases = [
      { owner: '' },
      { owner: 42 },
      { kind: 'k'.repeat(1025) },
      { data: cyclic },
      { data: () => 1 },
      { init: 'x'.repeat(70_000) },
      { data: 10n },
    ];
    for (const options of cases) {
      await expect(manager.create(options as never)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(await manager.count()).toBe(0);
  });
});

describe('resolve, touch and owners', () => {
  it('answers active, ended with the tombstone, or unknown', async () => {
    const { manager, clock } = setup();
    const { id } = await manager.create();
    expect(await manager.resolve(id)).toMatchObject({ status: 'active', session: { id } });
    expect(await manager.resolve('never-seen')).toEqual({ status: 'unknown' });
    clock.advance(5);
    await manager.end(id, 'deleted');
    expect(await manager.resolve(id)).toEqual({
      status: 'ended',
      tombstone: { id, owner: undefined, reason: 'deleted', endedAt: clock.now() },
    });
  });

  it("answers unknown for another owner's session, live or ended, exactly as for a never-seen ID", async () => {
    const { manager } = setup();
    const { id } = await manager.create({ owner: 'alice' });
    const never = await manager.resolve('never-seen', { owner: 'mallory' });
    expect(await manager.resolve(id, { owner: 'mallory' })).toEqual(never);
    expect(await manager.resolve(id)).toEqual(never);
    expect(await manager.touch(id, { owner: 'mallory' })).toEqual(never);
    expect(await manager.acquire(id, { owner: 'mallory' })).toEqual(never);
    await manager.end(id);
    expect(await manager.resolve(id, { owner: 'mallory' })).toEqual(never);
    expect((await manager.resolve(id, { owner: 'alice' })).status).toBe('ended');
  });

  it('touch restarts the idle clock; resolve does not', async () => {
    const { manager, clock, ended } = setup();
    const { id } = await manager.create();
    clock.advance(900);
    await manager.resolve(id);
    expect((await manager.touch(id)).status).toBe('active');
    clock.advance(900);
    expect(await manager.sweep()).toBe(0);
    clock.advance(100);
    expect(await manager.sweep()).toBe(1);
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[id, 'idle']]);
  });

  it('ends a session past its deadline on resolve, before any sweep', async () => {
    const { manager, clock, ended } = setup();
    const { id } = await manager.create({ owner: 'o' });
    clock.advance(1000);
    expect(await manager.resolve(id, { owner: 'o' })).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'idle', endedAt: clock.now() },
    });
    expect(ended).toHaveLength(1);
    expect(await manager.touch(id, { owner: 'o' })).toMatchObject({ status: 'ended' });
    expect(await manager.sweep()).toBe(0);
    expect(ended).toHaveLength(1);
  });

  it('an expired session of another owner answers unknown', async () => {
    const { manager, clock } = setup();
    const { id } = await manager.create({ owner: 'o' });
    clock.advance(1000);
    expect(await manager.touch(id, { owner: 'x' })).toEqual({ status: 'unknown' });
    expect(await manager.resolve(id, { owner: 'o' })).toMatchObject({ status: 'ended' });
  });

  it("a stranger's requests do not keep a session alive", async () => {
    const { manager, clock, ended } = setup();
    const { id } = await manager.create({ owner: 'alice' });
    const hooked: EndReason[] = [];
    manager.onEnd(id, (info) => {
      hooked.push(info.reason);
    });
    for (let t = 100; t < 1000; t += 100) {
      clock.advance(100);
      expect(await manager.resolve(id, { owner: 'bob' })).toEqual({ status: 'unknown' });
      expect(await manager.touch(id, { owner: 'bob' })).toEqual({ status: 'unknown' });
      expect(await manager.acquire(id)).toEqual({ status: 'unknown' });
      expect(await manager.acquire(id, { owner: 'bob' })).toEqual({ status: 'unknown' });
    }
    expect(hooked).toEqual([]);
    const seen = await manager.resolve(id, { owner: 'alice' });
    expect(seen.status === 'active' && seen.session.lastSeenAt - seen.session.createdAt).toBe(0);
    clock.advance(100);
    expect(await manager.sweep()).toBe(1);
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[id, 'idle']]);
    expect(hooked).toEqual(['idle']);
  });
});

describe('acquire and release', () => {
  it('a pinned session never idles out; the idle clock starts at the last release', async () => {
    const { manager, clock, ended } = setup();
    const { id } = await manager.create();
    const a = await manager.acquire(id);
    const b = await manager.acquire(id);
    if (a.status !== 'active' || b.status !== 'active') throw new Error('not active');
    clock.advance(10_000);
    expect(await manager.sweep()).toBe(0);
    expect((await manager.stats()).pinned).toBe(1);
    await a.release();
    await a.release();
    clock.advance(5_000);
    expect(await manager.sweep()).toBe(0);
    await b.release();
    expect((await manager.stats()).pinned).toBe(0);
    clock.advance(999);
    expect(await manager.sweep()).toBe(0);
    clock.advance(1);
    expect(await manager.sweep()).toBe(1);
    expect(ended[0]).toMatchObject({ id, reason: 'idle' });
  });

  it('answers the resolution without pinning when not active', async () => {
    const { manager } = setup();
    expect(await manager.acquire('nope')).toEqual({ status: 'unknown' });
    const { id } = await manager.create();
    await manager.end(id, 'closed');
    expect(await manager.acquire(id)).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'closed' },
    });
    expect((await manager.stats()).pinned).toBe(0);
  });

  it('the lifetime ends a pinned session', async () => {
    const { manager, clock, ended } = setup({ maxLifetimeMs: 5000 });
    const { id } = await manager.create();
    const lease = await manager.acquire(id);
    clock.advance(5000);
    expect(await manager.sweep()).toBe(1);
    expect(ended[0]).toMatchObject({ id, reason: 'lifetime' });
    if (lease.status === 'active') await lease.release();
    expect(await manager.resolve(id)).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'lifetime' },
    });
  });

  it('release after the session ended elsewhere is harmless', async () => {
    const { manager, failures } = setup();
    const { id } = await manager.create();
    const lease = await manager.acquire(id);
    await manager.end(id, 'deleted');
    if (lease.status === 'active') await lease.release();
    expect(failures).toEqual([]);
    expect((await manager.stats()).attached).toBe(0);
  });
});

describe('end and hooks', () => {
  it.each(['deleted', 'closed', 'evicted', 'shutdown', 'idle', 'lifetime'] as const)(
    'end(%s) writes the tombstone, runs hooks once, emits ended once',
    async (reason) => {
      const { manager, ended } = setup();
      const { id } = await manager.create({ data: { x: 1 } });
      const calls: EndReason[] = [];
      manager.onEnd(id, (info) => {
        calls.push(info.reason);
      });
      expect(await manager.end(id, reason)).toBe(true);
      expect(await manager.end(id, reason)).toBe(false);
      expect(calls).toEqual([reason]);
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatchObject({ id, reason, session: { id, data: { x: 1 } } });
      expect((await manager.stats()).ended[reason]).toBe(1);
      expect(await manager.resolve(id)).toMatchObject({ status: 'ended', tombstone: { reason } });
    },
  );

  it('ending an unknown session answers false', async () => {
    const { manager, ended } = setup();
    expect(await manager.end('missing')).toBe(false);
    expect(ended).toEqual([]);
  });

  it('rejects an unknown end reason', async () => {
    const { manager } = setup();
    const { id } = await manager.create();
    await expect(manager.end(id, 'bogus' as EndReason)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('awaits every hook; a failing hook does not stop the others and is reported', async () => {
    const { manager, failures } = setup();
    const { id } = await manager.create();
    const order: string[] = [];
    manager.onEnd(id, async () => {
      await new Promise((r) => setTimeout(r, 5));
      order.push('slow');
    });
    manager.onEnd(id, () => {
      throw new Error('boom');
    });
    manager.onEnd(id, () => {
      order.push('fast');
    });
    await manager.end(id);
    expect(order.sort()).toEqual(['fast', 'slow']);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ phase: 'end-hook', sessionId: id });
    expect((failures[0]!.error as Error).message).toBe('boom');
  });

  it('reports a hook that outlives hookTimeoutMs and stops waiting for it', async () => {
    const { manager, failures } = setup({ hookTimeoutMs: 20 });
    const { id } = await manager.create();
    manager.onEnd(id, () => new Promise(() => {}));
    await manager.end(id);
    expect(failures).toHaveLength(1);
    expect(String((failures[0]!.error as Error).message)).toMatch(/20 ms/);
  });

  it('a detached hook does not run', async () => {
    const { manager } = setup();
    const { id } = await manager.create();
    let ran = 0;
    const detach = manager.onEnd(id, () => {
      ran++;
    });
    detach();
    await manager.end(id);
    expect(ran).toBe(0);
    expect((await manager.stats()).attached).toBe(0);
  });

  it('a hook attached to an already ended session runs at the next sweep', async () => {
    const { manager } = setup();
    const { id } = await manager.create();
    await manager.end(id);
    const reasons: EndReason[] = [];
    manager.onEnd(id, (info) => {
      reasons.push(info.reason);
    });
    await manager.sweep();
    expect(reasons).toEqual(['closed']);
  });

  it('a throwing listener is reported and does not break the end', async () => {
    const { manager, failures } = setup();
    manager.on('ended', () => {
      throw new Error('listener');
    });
    const { id } = await manager.create();
    expect(await manager.end(id)).toBe(true);
    expect(failures.map((f) => f.phase)).toEqual(['listener']);
  });

  it('off() and the unsubscribe function remove listeners', async () => {
    const { manager } = setup();
    const seen: string[] = [];
    const listener = (s: { id: string }) => seen.push(s.id);
    const unsubscribe = manager.on('created', listener);
    await manager.create();
    unsubscribe();
    await manager.create();
    manager.on('created', listener);
    manager.off('created', listener);
    await manager.create();
    expect(seen).toHaveLength(1);
  });
});

describe('sweeps, lifetimes and tombstones', () => {
  it('sweeps in batches until nothing is due', async () => {
    const { manager, clock, ended } = setup({ sweepBatchSize: 3 });
    for (let i = 0; i < 10; i++) await manager.create();
    clock.advance(1000);
    expect(await manager.sweep()).toBe(10);
    expect(ended).toHaveLength(10);
    expect(await manager.count()).toBe(0);
  });

  it('concurrent sweeps share one run', async () => {
    const { manager, clock } = setup();
    await manager.create();
    clock.advance(1000);
    const [a, b] = await Promise.all([manager.sweep(), manager.sweep()]);
    expect(a).toBe(1);
    expect(b).toBe(1);
    expect((await manager.stats()).ended.idle).toBe(1);
  });

  it('with idleTtlMs 0 sessions never idle out', async () => {
    const { manager, clock } = setup({ idleTtlMs: 0 });
    const { id } = await manager.create();
    clock.advance(365 * 24 * 3600_000);
    expect(await manager.sweep()).toBe(0);
    expect((await manager.resolve(id)).status).toBe('active');
  });

  it('tombstones expire after tombstoneTtlMs and are bounded by maxTombstones', async () => {
    const { manager, clock } = setup({ tombstoneTtlMs: 5000, maxTombstones: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await manager.create()).id);
    for (const id of ids) await manager.end(id);
    expect((await manager.stats()).tombstones).toBe(2);
    expect(await manager.resolve(ids[0]!)).toEqual({ status: 'unknown' });
    expect((await manager.resolve(ids[2]!)).status).toBe('ended');
    clock.advance(5000);
    expect(await manager.resolve(ids[2]!)).toEqual({ status: 'unknown' });
    await manager.sweep();
    expect((await manager.stats()).tombstones).toBe(0);
  });

  it('tombstoneTtlMs 0 keeps no tombstones', async () => {
    const { manager } = setup({ tombstoneTtlMs: 0 });
    const { id } = await manager.create();
    await manager.end(id);
    expect(await manager.resolve(id)).toEqual({ status: 'unknown' });
  });

  it('the sweeper runs on its own timer and stop() stops it', async () => {
    const manager = new SessionManager({ idleTtlMs: 40, sweepIntervalMs: 10 });
    managers.push(manager);
    expect(manager.running).toBe(true);
    const ended = new Promise<SessionEndInfo>((resolve) => manager.on('ended', resolve));
    const { id } = await manager.create();
    expect(await ended).toMatchObject({ id, reason: 'idle' });
    manager.stop();
    expect(manager.running).toBe(false);
    manager.start();
    manager.start();
    expect(manager.running).toBe(true);
  });
});

describe('capacity', () => {
  it('rejects at maxSessions with CAPACITY', async () => {
    const { manager } = setup({ maxSessions: 2 });
    await manager.create();
    await manager.create();
    const error = await manager.create().catch((e: unknown) => e);
    expect(isSessionError(error, 'CAPACITY')).toBe(true);
    expect((error as Error).message).toContain('maxSessions = 2');
  });

  it('evicts the least recently touched unpinned session with evict-oldest', async () => {
    const { manager, clock, ended } = setup({ maxSessions: 3, capacityPolicy: 'evict-oldest' });
    const a = await manager.create();
    clock.advance(1);
    const b = await manager.create();
    clock.advance(1);
    const c = await manager.create();
    clock.advance(1);
    await manager.touch(b.id);
    const lease = await manager.acquire(a.id);
    const d = await manager.create();
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[c.id, 'evicted']]);
    expect((await manager.resolve(d.id)).status).toBe('active');
    expect(await manager.resolve(c.id)).toMatchObject({
      status: 'ended',
      tombstone: { reason: 'evicted' },
    });
    if (lease.status === 'active') await lease.release();
  });

  it('rejects when every candidate is pinned', async () => {
    const { manager } = setup({ maxSessions: 1, capacityPolicy: 'evict-oldest' });
    const { id } = await manager.create();
    await manager.acquire(id);
    await expect(manager.create()).rejects.toMatchObject({ code: 'CAPACITY' });
  });
});

describe('list, stats, endAll, close', () => {
  it('lists copies of live sessions and counts by reason', async () => {
    const { manager } = setup();
    const a = await manager.create({ owner: 'x' });
    const b = await manager.create();
    await manager.end(b.id, 'deleted');
    const listed = await manager.list();
    expect(listed).toEqual([{ ...a, kind: undefined, data: undefined, init: undefined }]);
    const stats = await manager.stats();
    expect(stats).toMatchObject({ live: 1, tombstones: 1, created: 2, pinned: 0 });
    expect(stats.ended).toEqual({
      idle: 0,
      lifetime: 0,
      deleted: 1,
      closed: 0,
      evicted: 0,
      shutdown: 0,
    });
  });

  it('endAll ends every session', async () => {
    const { manager, ended } = setup();
    for (let i = 0; i < 4; i++) await manager.create();
    expect(await manager.endAll('closed')).toBe(4);
    expect(ended).toHaveLength(4);
    expect(await manager.count()).toBe(0);
  });

  it('close() ends every session with shutdown, runs hooks, and refuses further calls', async () => {
    const { manager, ended } = setup();
    const a = await manager.create();
    await manager.create();
    const hooked: EndReason[] = [];
    manager.onEnd(a.id, (info) => {
      hooked.push(info.reason);
    });
    manager.start();
    await Promise.all([manager.close(), manager.close()]);
    expect(manager.closed).toBe(true);
    expect(manager.running).toBe(false);
    expect(hooked).toEqual(['shutdown']);
    expect(ended.map((e) => e.reason)).toEqual(['shutdown', 'shutdown']);
    await expect(manager.create()).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(manager.resolve(a.id)).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => manager.onEnd(a.id, () => {})).toThrow(
      expect.objectContaining({ code: 'CLOSED' }),
    );
    expect(() => manager.start()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  it('close() leaves a passed-in store open and a shared store untouched', async () => {
    const store = new MemoryStore();
    const shared = sharedView(store);
    const { manager } = setup({ store: shared });
    const { id } = await manager.create();
    const hooked: EndReason[] = [];
    manager.onEnd(id, (info) => {
      hooked.push(info.reason);
    });
    await manager.close();
    expect(hooked).toEqual(['shutdown']);
    const next = setup({ store });
    expect((await next.manager.resolve(id)).status).toBe('active');
  });
});

describe('shared stores', () => {
  /** Two managers over one store that reports itself shared, like two replicas on Redis. */
  function replicas(options: SessionManagerOptions): [SessionManager, SessionManager] {
    const store = new MemoryStore();
    const a = new SessionManager({ ...options, store: sharedView(store) });
    const b = new SessionManager({ ...options, store: sharedView(store) });
    managers.push(a, b);
    return [a, b];
  }

  it('runs hooks for a session ended on another replica within a minute of sweeps', async () => {
    const clock = new ManualClock();
    const [a, b] = replicas({
      clock,
      idleTtlMs: 30 * 60_000,
      sweepIntervalMs: 10_000,
      autoStart: false,
    });
    const { id } = await a.create();
    const reasons: EndReason[] = [];
    a.onEnd(id, (info) => {
      reasons.push(info.reason);
    });
    await a.sweep();
    expect(await b.end(id, 'deleted')).toBe(true);
    clock.advance(59_999);
    await a.sweep();
    expect(reasons).toEqual([]);
    clock.advance(1);
    await a.sweep();
    expect(reasons).toEqual(['deleted']);
    expect((await a.stats()).attached).toBe(0);
  });

  it("a stranger's lookup of an attached session ended elsewhere defers to the next sweep", async () => {
    const clock = new ManualClock();
    const [a, b] = replicas({ clock, idleTtlMs: 30 * 60_000, autoStart: false });
    const { id } = await a.create({ owner: 'alice' });
    const reasons: EndReason[] = [];
    a.onEnd(id, (info) => {
      reasons.push(info.reason);
    });
    // Live: the stranger's unknown must not read as a vanished session.
    expect(await a.resolve(id, { owner: 'bob' })).toEqual({ status: 'unknown' });
    await a.sweep();
    expect(reasons).toEqual([]);
    expect(await b.end(id, 'deleted')).toBe(true);
    expect(await a.touch(id)).toEqual({ status: 'unknown' });
    expect(reasons).toEqual([]);
    await a.sweep();
    expect(reasons).toEqual(['deleted']);
  });

  it('a pinned session learns of an end elsewhere when its lease is renewed', async () => {
    const clock = new ManualClock();
    const [a, b] = replicas({ clock, idleTtlMs: 1000, autoStart: false });
    const { id } = await a.create();
    const reasons: EndReason[] = [];
    a.onEnd(id, (info) => {
      reasons.push(info.reason);
    });
    const lease = await a.acquire(id);
    await b.end(id, 'closed');
    clock.advance(500);
    await a.sweep();
    expect(reasons).toEqual(['closed']);
    if (lease.status === 'active') await lease.release();
  });
});

describe('store failures', () => {
  function failingStore() {
    const inner = new MemoryStore();
    let down = false;
    const store = new Proxy(inner, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || key === 'close') return value;
        return (...args: unknown[]) => {
          if (down && key === 'list') {
            return (async function* () {
              yield* [];
              throw new Error('connection refused');
            })();
          }
          if (down) return Promise.reject(new Error('connection refused'));
          return value.apply(target, args);
        };
      },
    });
    return { store, setDown: (value: boolean) => (down = value) };
  }

  it('wraps store errors as STORE_UNAVAILABLE and ends nothing', async () => {
    const { store, setDown } = failingStore();
    const { manager, clock, ended, failures } = setup({ store });
    const { id } = await manager.create();
    setDown(true);
    for (const call of [
      () => manager.create(),
      () => manager.resolve(id),
      () => manager.touch(id),
      () => manager.acquire(id),
      () => manager.end(id),
      () => manager.count(),
      () => manager.stats(),
      () => manager.list(),
      () => manager.sweep(),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(isSessionError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
    clock.advance(10);
    setDown(false);
    expect((await manager.resolve(id)).status).toBe('active');
    expect(ended).toEqual([]);
    expect(failures).toEqual([]);
  });

  it('a store that throws synchronously still yields STORE_UNAVAILABLE', async () => {
    const store = new MemoryStore();
    const { manager } = setup({ store });
    const { id } = await manager.create();
    for (const method of ['get', 'touch', 'end', 'count', 'create', 'claimExpired'] as const) {
      (store as unknown as Record<string, unknown>)[method] = () => {
        throw new TypeError('not async');
      };
    }
    for (const call of [
      () => manager.resolve(id),
      () => manager.touch(id),
      () => manager.end(id),
      () => manager.count(),
      () => manager.create(),
      () => manager.sweep(),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    }
  });

  it('a failing release is reported, not thrown', async () => {
    const { store, setDown } = failingStore();
    const { manager, failures } = setup({ store });
    const { id } = await manager.create();
    const lease = await manager.acquire(id);
    setDown(true);
    if (lease.status === 'active') await expect(lease.release()).resolves.toBeUndefined();
    expect(failures.map((f) => [f.phase, (f.error as { code?: string }).code])).toEqual([
      ['release', 'STORE_UNAVAILABLE'],
    ]);
  });
});
