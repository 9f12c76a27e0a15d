import { afterEach, describe, expect, it } from 'vitest';
import {
  isSessionError,
  SessionManager,
  type SessionManagerOptions,
  type SessionRecord,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function setup(options: SessionManagerOptions = {}) {
  const manager = new SessionManager({ clock: new ManualClock(), autoStart: false, ...options });
  managers.push(manager);
  const created: SessionRecord[] = [];
  manager.on('created', (record) => created.push(record));
  return { manager, created };
}

/**
 * A generator of distinct 24-character IDs that answers `taken` instead for the next
 * `collisions` calls; counts its calls.
 */
class Generator {
  taken = '';
  collisions = 0;
  calls = 0;
  readonly generateId = (): string => {
    this.calls++;
    if (this.collisions > 0) {
      this.collisions--;
      return this.taken;
    }
    return `generated-${String(this.calls).padStart(14, '0')}`;
  };
}

describe('generated IDs that collide', () => {
  it('a generated ID already in use is retried with a new one', async () => {
    const ids = new Generator();
    const { manager, created } = setup({ generateId: ids.generateId });
    const taken = await manager.register('taken-000000000000000000');
    ids.taken = taken.id;
    ids.collisions = 1;
    const session = await manager.create({ owner: 'u1' });
    expect(session.id).not.toBe(taken.id);
    expect(session.owner).toBe('u1');
    expect(ids.collisions).toBe(0);
    expect((await manager.resolve(session.id, { owner: 'u1' })).status).toBe('active');
    expect(await manager.count()).toBe(2);
    expect(created.map((r) => r.id)).toEqual([taken.id, session.id]);
  });

  it('a generator that keeps colliding fails with SESSION_EXISTS naming generateId, after 4 tries', async () => {
    const ids = new Generator();
    const { manager, created } = setup({ generateId: ids.generateId });
    const taken = await manager.register('taken-000000000000000000');
    ids.taken = taken.id;
    ids.collisions = Infinity;
    const before = ids.calls;
    const error = await manager.create().catch((e: unknown) => e);
    expect(isSessionError(error, 'SESSION_EXISTS')).toBe(true);
    expect((error as Error).message).toMatch(/`generateId`.*4 IDs in a row/);
    expect(ids.calls - before).toBe(4);
    expect(await manager.count()).toBe(1);
    expect(created).toHaveLength(1);
  });

  it('an ID the caller chose is not retried', async () => {
    const ids = new Generator();
    const { manager } = setup({ generateId: ids.generateId });
    await manager.register('chosen-00000000000000000');
    const before = ids.calls;
    await expect(manager.create({ id: 'chosen-00000000000000000' })).rejects.toMatchObject({
      code: 'SESSION_EXISTS',
      message: expect.stringContaining('already in use'),
    });
    expect(ids.calls).toBe(before);
  });
});
