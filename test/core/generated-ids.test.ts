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

describe('a custom generateId is probed at construction', () => {
  const refused = (generateId: () => string) => {
    const error = (() => {
      try {
        setup({ generateId });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isSessionError(error, 'INVALID_OPTION')).toBe(true);
    return (error as Error).message;
  };

  it('refuses a generator that returns one fixed ID, naming generateId and what it needs', () => {
    expect(refused(() => 'fixed-id-000000000000')).toBe(
      'Invalid option `generateId`: 8 calls must return 8 distinct session IDs of 16 to 256 ' +
        'visible ASCII characters (unguessable, e.g. crypto.randomUUID()); they returned 1 ' +
        'distinct ID.',
    );
  });

  it('refuses short, invalid, non-string or throwing generators', () => {
    let n = 0;
    expect(refused(() => `short-${n++}`)).toMatch(/`generateId`.*returned "short-0", 7 characters/);
    expect(refused(() => 'has a space in it, so no')).toMatch(/`generateId`.*visible ASCII/);
    expect(refused((() => 42) as unknown as () => string)).toMatch(/`generateId`.*a number/);
    expect(
      refused(() => {
        throw new Error('no entropy source');
      }),
    ).toMatch(/`generateId` threw: no entropy source/);
  });

  it('accepts distinct IDs of 16 characters or more, and the default generator', async () => {
    const { manager } = setup({ generateId: () => crypto.randomUUID() });
    await expect(manager.create()).resolves.toBeDefined();
    const ids = new Generator();
    expect(() => setup({ generateId: ids.generateId })).not.toThrow();
    expect(ids.calls).toBe(8);
    expect(() => setup()).not.toThrow();
  });
});
