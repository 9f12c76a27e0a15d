import { describe, expect, it, onTestFinished } from 'vitest';
import {
  MemoryStore,
  type SessionEndInfo,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
  type SessionStore,
} from '../../src/index.js';
import type { StoreLookup } from '../../src/stores/index.js';
import { ManualClock } from '../../src/testing/index.js';

const FIELDS = {
  owner: 'u1',
  kind: 'streamable-http',
  data: { plan: 'pro' },
  init: { method: 'initialize' },
} as const;

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const sessions = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  onTestFinished(() => sessions.close());
  return { clock, sessions };
}

/** A plain own-property object whose spread copy keeps every field of a full record. */
function expectPlainRecord(record: SessionRecord | undefined, lastSeenAt: number): void {
  expect(record).toBeDefined();
  expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
  expect({ ...record }).toStrictEqual(record);
  expect({ ...record }).toStrictEqual({
    id: record!.id,
    ...FIELDS,
    init: JSON.stringify(FIELDS.init),
    createdAt: 1_000_000,
    lastSeenAt,
    version: 1,
  });
}

function activeSession(resolution: { status: string; session?: SessionRecord }): SessionRecord {
  if (resolution.status !== 'active' || resolution.session === undefined) {
    throw new Error(`expected an active session, got ${resolution.status}`);
  }
  return resolution.session;
}

describe('records leave the manager as plain snapshots', () => {
  it('create, created, resolve, touch, acquire and list answer plain records a later touch leaves alone', async () => {
    const { clock, sessions } = setup();
    const created: SessionRecord[] = [];
    sessions.on('created', (record) => created.push(record));
    const record = await sessions.create(FIELDS);
    const { id } = record;
    clock.advance(10);
    const resolved = activeSession(await sessions.resolve(id, { owner: 'u1' }));
    clock.advance(10);
    const touched = activeSession(await sessions.touch(id, { owner: 'u1' }));
    clock.advance(10);
    const lease = await sessions.acquire(id, { owner: 'u1' });
    const acquired = activeSession(lease);
    const [listed] = await sessions.list();

    clock.advance(100);
    await sessions.touch(id, { owner: 'u1' });
    if (lease.status === 'active') await lease.release();
    await sessions.touch(id, { owner: 'u1' });

    expectPlainRecord(record, 1_000_000);
    expectPlainRecord(created[0], 1_000_000);
    expectPlainRecord(resolved, 1_000_000);
    expectPlainRecord(touched, 1_000_020);
    expectPlainRecord(acquired, 1_000_030);
    expectPlainRecord(listed, 1_000_030);
    const now = activeSession(await sessions.resolve(id, { owner: 'u1' }));
    expect(now.lastSeenAt).toBe(1_000_130);
  });

  it('two resolutions of one session are two values, never one shared node', async () => {
    const { sessions } = setup();
    const { id } = await sessions.create(FIELDS);
    const a = activeSession(await sessions.resolve(id, { owner: 'u1' }));
    const b = activeSession(await sessions.resolve(id, { owner: 'u1' }));
    expect(a).not.toBe(b);
    expect(a).toStrictEqual(b);
  });

  it('the ended event and end hooks carry a plain record of the session as it ended', async () => {
    const { clock, sessions } = setup();
    const ended: SessionEndInfo[] = [];
    const hooked: SessionEndInfo[] = [];
    sessions.on('ended', (info) => ended.push(info));
    const { id } = await sessions.create(FIELDS);
    sessions.onEnd(id, (info) => void hooked.push(info));
    clock.advance(40);
    await sessions.touch(id, { owner: 'u1' });
    expect(await sessions.end(id)).toBe(true);
    expect(ended).toHaveLength(1);
    expect(hooked).toHaveLength(1);
    expectPlainRecord(ended[0]!.session, 1_000_040);
    expectPlainRecord(hooked[0]!.session, 1_000_040);
  });

  it('a session ended by the sweep hands out the record it had when it expired', async () => {
    const { clock, sessions } = setup();
    const ended: SessionEndInfo[] = [];
    sessions.on('ended', (info) => ended.push(info));
    await sessions.create(FIELDS);
    clock.advance(1000);
    expect(await sessions.sweep()).toBe(1);
    expect(ended.map((info) => info.reason)).toEqual(['idle']);
    expectPlainRecord(ended[0]!.session, 1_000_000);
  });

  it('a store that hands out its own plain records and updates them in place cannot reach a kept record', async () => {
    const inner = new MemoryStore();
    const held = new Map<string, { -readonly [K in keyof SessionRecord]: SessionRecord[K] }>();
    const heldView = (lookup: StoreLookup): StoreLookup => {
      if (lookup.status !== 'active') return lookup;
      const { id, owner, kind, data, init, createdAt, lastSeenAt, version } = lookup.session;
      const kept = held.get(id) ?? { id, createdAt, lastSeenAt, version };
      Object.assign(kept, { owner, kind, data, init, lastSeenAt, version });
      held.set(id, kept);
      return { status: 'active', session: kept };
    };
    const store: SessionStore = {
      shared: false,
      create: (...args) => inner.create(...args),
      get: async (...args) => heldView(await inner.get(...args)),
      touch: async (...args) => heldView(await inner.touch(...args)),
      end: (...args) => inner.end(...args),
      claimExpired: (...args) => inner.claimExpired(...args),
      evictOldest: (...args) => inner.evictOldest(...args),
      count: (...args) => inner.count(...args),
      update: (...args) => inner.update(...args),
      list: () => inner.list(),
      listByOwner: (...args) => inner.listByOwner(...args),
      close: () => inner.close(),
    };
    const { clock, sessions } = setup({ store });
    const { id } = await sessions.create(FIELDS);
    const first = activeSession(await sessions.touch(id, { owner: 'u1' }));
    clock.advance(50);
    const second = activeSession(await sessions.touch(id, { owner: 'u1' }));
    expect(held.get(id)?.lastSeenAt).toBe(1_000_050);
    expectPlainRecord(first, 1_000_000);
    expectPlainRecord(second, 1_000_050);
  });
});
