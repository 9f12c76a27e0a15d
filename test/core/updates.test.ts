import { afterEach, describe, expect, it } from 'vitest';
import {
  type JsonValue,
  MemoryStore,
  type SessionEndInfo,
  SessionError,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
  type SessionStore,
  type SessionUpdater,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const manager = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  managers.push(manager);
  const ended: SessionEndInfo[] = [];
  manager.on('ended', (info) => ended.push(info));
  return { clock, manager, ended };
}

/** The counter of the README: one more on every call. */
const increment: SessionUpdater = (data) => ({
  count: ((data as { count?: number } | undefined)?.count ?? 0) + 1,
});

/** What a rejection is, for comparing two errors without their session IDs. */
async function failureOf(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionError);
  const { code, message } = error as SessionError;
  return { code, message: message.replace(/Session \S+/, 'Session <id>') };
}

/** A store whose every update first lets `rival` write (as another replica would), then runs. */
class RivalStore extends FaultyStore {
  rivalWrites = 0;
  override update: SessionStore['update'] = async (id, _version, data, now, policy, owner) => {
    const current = await this.inner.get(id, now, policy);
    if (current.status === 'active') {
      await this.inner.update(id, current.session.version, 'rival', now, policy);
      this.rivalWrites++;
    }
    return this.inner.update(id, _version, data, now, policy, owner);
  };
}

describe('SessionManager.update', () => {
  it('writes the updater’s data with one more version and answers a detached record', async () => {
    const { clock, manager } = setup();
    const created = await manager.create({ owner: 'u1', kind: 'k', data: { count: 0 } });
    expect(created.version).toBe(1);
    clock.advance(100);
    const seen: [JsonValue | undefined, SessionRecord][] = [];
    const updated = await manager.update(
      created.id,
      (data, session) => {
        seen.push([data, session]);
        return increment(data, session);
      },
      { owner: 'u1' },
    );
    expect(updated).toEqual({ ...created, data: { count: 1 }, version: 2 });
    expect(seen).toEqual([[{ count: 0 }, created]]);
    expect(Object.getPrototypeOf(updated)).toBe(Object.prototype);
    const second = await manager.update(created.id, increment, { owner: 'u1' });
    expect(second).toMatchObject({ data: { count: 2 }, version: 3 });
    expect(updated).toMatchObject({ data: { count: 1 }, version: 2 });
    const resolved = await manager.resolve(created.id, { owner: 'u1' });
    expect(resolved).toEqual({ status: 'active', session: second });
  });

  it('is not a use: the idle deadline stays where the last touch put it', async () => {
    const { clock, manager, ended } = setup();
    const { id } = await manager.create();
    clock.advance(999);
    await manager.update(id, increment);
    await manager.touch(id);
    expect((await manager.resolve(id)).status).toBe('active');
    const touched = await manager.touch(id);
    expect(touched.status === 'active' && touched.session.version).toBe(2);
    clock.advance(1000);
    expect(await manager.sweep()).toBe(1);
    expect(ended.map((e) => [e.id, e.reason, e.session?.version])).toEqual([[id, 'idle', 2]]);
  });

  it('runs the updater again on the newer data when another writer came first', async () => {
    const store = new MemoryStore();
    const { manager } = setup({ store });
    const { manager: other } = setup({ store });
    const { id } = await manager.create({ data: { count: 0 } });
    const inputs: JsonValue[] = [];
    let interfered = false;
    const result = await manager.update(id, async (data, session) => {
      inputs.push(data ?? null);
      if (!interfered) {
        interfered = true;
        await other.update(id, increment);
      }
      return increment(data, session);
    });
    expect(inputs).toEqual([{ count: 0 }, { count: 1 }]);
    expect(result).toMatchObject({ data: { count: 2 }, version: 3 });
  });

  it('concurrent updates through two managers all land, each exactly once', async () => {
    const store = new MemoryStore();
    const { manager: a } = setup({ store });
    const { manager: b } = setup({ store });
    const { id } = await a.create();
    let calls = 0;
    const slowIncrement: SessionUpdater = async (data, session) => {
      calls++;
      await Promise.resolve();
      return increment(data, session);
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).update(id, slowIncrement)),
    );
    expect(results.map((r) => (r.data as { count: number }).count).sort((x, y) => x - y)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(calls).toBeGreaterThan(8);
    const final = await a.resolve(id);
    expect(final.status === 'active' && final.session).toMatchObject({
      data: { count: 8 },
      version: 9,
    });
  });

  it('gives up with UPDATE_CONFLICT after maxAttempts (8 by default), writing nothing of its own', async () => {
    const store = new RivalStore();
    const { manager } = setup({ store });
    const { id } = await manager.create({ data: 'mine' });
    let calls = 0;
    const counted: SessionUpdater = () => {
      calls++;
      return 'never';
    };
    await expect(manager.update(id, counted, { maxAttempts: 3 })).rejects.toThrow(
      expect.objectContaining({
        code: 'UPDATE_CONFLICT',
        message: expect.stringMatching(/after 3 attempts.*maxAttempts/),
      }),
    );
    expect(calls).toBe(3);
    calls = 0;
    await expect(manager.update(id, counted)).rejects.toThrow(
      expect.objectContaining({ code: 'UPDATE_CONFLICT', message: expect.stringContaining('8') }),
    );
    expect(calls).toBe(8);
    const now = await manager.resolve(id);
    expect(now.status === 'active' && now.session).toMatchObject({
      data: 'rival',
      version: 1 + store.rivalWrites,
    });
    expect(store.rivalWrites).toBe(11);
  });

  it('refuses data over 64 KiB, undefined or not JSON, with the code create uses, and writes nothing', async () => {
    const { manager } = setup();
    const { id } = await manager.create({ data: 'small' });
    await expect(manager.create({ data: 'x'.repeat(70_000) })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const bad: [RegExp, SessionUpdater][] = [
      [/`data`.*at most 65536 characters.*got 65538 characters/, () => 'x'.repeat(64 * 1024)],
      [/`data`.*returned undefined/, () => undefined as unknown as JsonValue],
      [/`data`.*not serializable/, () => ({ n: 1n }) as unknown as JsonValue],
      [/`data`.*got a value JSON cannot represent/, () => (() => 1) as unknown as JsonValue],
    ];
    for (const [message, updater] of bad) {
      await expect(manager.update(id, updater)).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_ARGUMENT',
          message: expect.stringMatching(message),
        }),
      );
    }
    const fits = await manager.update(id, () => 'x'.repeat(64 * 1024 - 2));
    expect(fits.version).toBe(2);
    const cleared = await manager.update(id, () => null);
    expect(cleared).toMatchObject({ data: null, version: 3 });
  });

  it('answers another owner’s session exactly as an unknown one: SESSION_NOT_FOUND', async () => {
    const { manager } = setup();
    const owned = await manager.create({ owner: 'alice', data: 1 });
    const bare = await manager.create({ data: 1 });
    let calls = 0;
    const counted: SessionUpdater = () => {
      calls++;
      return 2;
    };
    const unknown = await failureOf(manager.update('never-seen-session-id', counted));
    expect(unknown.code).toBe('SESSION_NOT_FOUND');
    for (const call of [
      manager.update(owned.id, counted, { owner: 'bob' }),
      manager.update(owned.id, counted),
      manager.update(owned.id, counted, { owner: null }),
      manager.update(bare.id, counted, { owner: 'bob' }),
    ]) {
      expect(await failureOf(call)).toEqual(unknown);
    }
    expect(calls).toBe(0);
    for (const session of [owned, bare]) {
      const now = await manager.resolve(session.id, { owner: session.owner });
      expect(now.status === 'active' && now.session.version).toBe(1);
    }
    expect(await manager.update(owned.id, counted, { owner: 'alice' })).toMatchObject({
      data: 2,
      version: 2,
    });
  });

  it('answers an ended session with SESSION_ENDED and its tombstone', async () => {
    const { clock, manager } = setup();
    const { id } = await manager.create({ owner: 'alice' });
    clock.advance(5);
    await manager.end(id, 'deleted');
    const error = await manager.update(id, increment, { owner: 'alice' }).catch((e) => e);
    expect(error).toMatchObject({
      code: 'SESSION_ENDED',
      tombstone: { id, owner: 'alice', reason: 'deleted', endedAt: clock.now() },
      message: expect.stringContaining('deleted'),
    });
    const stranger = await manager.update(id, increment, { owner: 'bob' }).catch((e) => e);
    expect(stranger).toMatchObject({ code: 'SESSION_NOT_FOUND', tombstone: undefined });
  });

  it('ends a session past its deadline, as resolve does, and answers SESSION_ENDED', async () => {
    const { clock, manager, ended } = setup();
    const { id } = await manager.create({ data: 1 });
    clock.advance(1000);
    await expect(manager.update(id, increment)).rejects.toMatchObject({
      code: 'SESSION_ENDED',
      tombstone: { reason: 'idle', endedAt: clock.now() },
    });
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[id, 'idle']]);
    expect(await manager.sweep()).toBe(0);
  });

  it('answers SESSION_ENDED when the session ends between the read and the write', async () => {
    const { manager } = setup();
    const { id } = await manager.create();
    await expect(
      manager.update(id, async (data, session) => {
        await manager.end(id, 'closed');
        return increment(data, session);
      }),
    ).rejects.toMatchObject({ code: 'SESSION_ENDED', tombstone: { reason: 'closed' } });
  });

  it('updates a session pinned here whose idle deadline the sweep has not renewed yet', async () => {
    const { clock, manager } = setup();
    const { id } = await manager.create();
    const lease = await manager.acquire(id);
    clock.advance(1500);
    expect(await manager.update(id, increment)).toMatchObject({ data: { count: 1 }, version: 2 });
    if (lease.status === 'active') await lease.release();
  });

  it('passes what the updater throws through as it is, writing nothing', async () => {
    const { manager } = setup();
    const { id } = await manager.create({ data: 1 });
    const thrown = new Error('application failure');
    await expect(
      manager.update(id, () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    await expect(manager.update(id, () => Promise.reject(thrown))).rejects.toBe(thrown);
    const now = await manager.resolve(id);
    expect(now.status === 'active' && now.session.version).toBe(1);
  });

  it('rejects bad arguments and options, naming the field, the value and the range', async () => {
    const { manager } = setup();
    const { id } = await manager.create();
    const options: [unknown, RegExp][] = [
      [{ maxAttempts: 0 }, /`maxAttempts`.*1 to 100.*got 0/],
      [{ maxAttempts: 1.5 }, /`maxAttempts`.*1 to 100.*got 1\.5/],
      [{ maxAttempts: 101 }, /`maxAttempts`.*got 101/],
      [{ maxAttempts: '3' }, /`maxAttempts`.*got "3"/],
      [{ owner: '' }, /`owner`.*1 to 1024 characters, or null.*got ""/],
      [{ owner: 7 }, /`owner`.*got 7/],
      [{ retries: 3 }, /Unknown update option `retries`.*maxAttempts/],
      ['fast', /options must be an object.*"fast"/],
    ];
    for (const [option, message] of options) {
      await expect(manager.update(id, increment, option as never)).rejects.toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(message),
        }),
      );
    }
    await expect(manager.update(id, 'count' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('`updater`'),
    });
    await expect(manager.update('', increment)).rejects.toMatchObject({
      code: 'INVALID_SESSION_ID',
    });
    const now = await manager.resolve(id);
    expect(now.status === 'active' && now.session.version).toBe(1);
    await manager.close();
    await expect(manager.update(id, increment)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  describe('from a record read earlier', () => {
    /** Counts the store's reads and writes. */
    class CountingStore extends FaultyStore {
      gets = 0;
      updates = 0;
      override get: SessionStore['get'] = (...a) => {
        this.gets++;
        return this.inner.get(...a);
      };
      override update: SessionStore['update'] = (...a) => {
        this.updates++;
        return this.inner.update(...a);
      };
    }

    it('writes in one store call when the record is current', async () => {
      const store = new CountingStore();
      const { manager } = setup({ store });
      const { id } = await manager.create({ data: { count: 4 } });
      const lease = await manager.acquire(id);
      expect(lease.status).toBe('active');
      if (lease.status !== 'active') return;
      const first = await manager.update(id, increment, { from: lease.session });
      const second = await manager.update(id, increment, { from: first });
      await lease.release();
      expect(second.data).toEqual({ count: 6 });
      expect(second.version).toBe(3);
      expect(store.gets).toBe(0);
      expect(store.updates).toBe(2);
    });

    it('runs the updater again on the current data when the record is stale', async () => {
      const store = new CountingStore();
      const { manager } = setup({ store });
      const { id } = await manager.create({ data: { count: 0 } });
      const stale = await manager.update(id, increment);
      await manager.update(id, increment);
      const seen: JsonValue[] = [];
      const result = await manager.update(
        id,
        (data) => {
          seen.push(data ?? null);
          return increment(data, stale);
        },
        { from: stale },
      );
      expect(seen).toEqual([{ count: 1 }, { count: 2 }]);
      expect(result.data).toEqual({ count: 3 });
    });

    it('still checks the owner: another owner’s session is not found, and nothing is written', async () => {
      const { manager } = setup();
      const record = await manager.create({ owner: 'alice', data: { count: 0 } });
      await expect(
        manager.update(record.id, increment, { owner: 'mallory', from: record }),
      ).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
      const now = await manager.resolve(record.id, { owner: 'alice' });
      expect(now.status === 'active' && now.session.data).toEqual({ count: 0 });
    });

    it('refuses a record of another session, or something that is not a record', async () => {
      const { manager } = setup();
      const a = await manager.create();
      const b = await manager.create();
      await expect(manager.update(a.id, increment, { from: b })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('`from`'),
      });
      await expect(manager.update(a.id, increment, { from: 'a' as never })).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/`from`.*read earlier/),
      });
      await expect(
        manager.update(a.id, increment, { from: { ...a, version: 0 } }),
      ).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    });
  });

  it('passes a store outage through as STORE_UNAVAILABLE', async () => {
    const store = new FaultyStore();
    const { manager } = setup({ store });
    const { id } = await manager.create();
    store.failing = true;
    await expect(manager.update(id, increment)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    store.failing = false;
    expect((await manager.update(id, increment)).version).toBe(2);
  });
});
