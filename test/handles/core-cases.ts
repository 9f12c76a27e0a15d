// The core rules of handles, run on the memory store (test/handles) and on Redis (test/redis).
import { afterEach, describe, expect, it } from 'vitest';
import { HandleKind, type HandleKindOptions } from '../../src/handles/index.js';
import type { SessionStore } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

const MINUTE = 60_000;
const HANDLE = /^bsk_[A-Za-z0-9_-]{22}$/;

/** Makes a fresh store per kind (its own namespace); `undefined`: the kind's own memory store. */
export type StoreMaker = () => SessionStore | undefined;

/** Registers the core cases of a handle kind over the stores `makeStore` answers. */
export function describeHandleCore(label: string, makeStore: StoreMaker): void {
  const kinds: HandleKind<string[]>[] = [];
  afterEach(async () => {
    await Promise.all(kinds.splice(0).map((k) => k.close()));
  });

  function baskets(options: Partial<HandleKindOptions> = {}) {
    const clock = new ManualClock(Date.now());
    const store = makeStore();
    const kind = new HandleKind<string[]>({
      name: 'basket',
      prefix: 'bsk',
      idleTtlMs: 30 * MINUTE,
      maxPerOwner: 3,
      clock,
      autoStart: false,
      ...(store === undefined ? {} : { store }),
      ...options,
    });
    kinds.push(kind);
    return { kind, clock };
  }

  describe(`handle core (${label})`, () => {
    it('creates handles of 128 random bits under the prefix, owned by their creator', async () => {
      const { kind } = baskets();
      const a = await kind.create('alice', []);
      const b = await kind.create('alice', ['x']);
      expect(a.id).toMatch(HANDLE);
      expect(a.id).not.toBe(b.id);
      expect(Buffer.from(a.id.slice(4), 'base64url')).toHaveLength(16);
      expect(a).toMatchObject({ owner: 'alice', data: [], version: 1 });
      expect((await kind.get(b.id, 'alice')).data).toEqual(['x']);
    });

    it('updates atomically and versioned; the new state is what the next use sees', async () => {
      const { kind } = baskets();
      const { id } = await kind.create('alice', []);
      await Promise.all(
        ['a', 'b', 'c', 'd'].map((item) => kind.update(id, 'alice', (items) => [...items, item])),
      );
      const lease = await kind.acquire(id, 'alice');
      expect([...lease.handle.data].sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(lease.handle.version).toBe(5);
      await lease.release();
    });

    it('answers another owner exactly as an unknown handle, and writes nothing for them', async () => {
      const { kind, clock } = baskets();
      const { id } = await kind.create('alice', ['secret']);
      const never = `bsk_${Buffer.alloc(16, 7).toString('base64url')}`;
      const messageOf = async (run: Promise<unknown>) =>
        run.then(
          () => 'resolved',
          (e: Error & { code: string }) => `${e.code}: ${e.message.replace(/bsk_\S+/, 'ID')}`,
        );
      const foreign = await messageOf(kind.acquire(id, 'mallory'));
      expect(foreign).toBe(await messageOf(kind.acquire(never, 'mallory')));
      expect(foreign).toMatch(/^SESSION_NOT_FOUND: Basket ID was not found/);
      expect(await messageOf(kind.acquire(id, undefined))).toBe(foreign);
      expect(await messageOf(kind.update(id, 'mallory', () => ['stolen']))).toBe(foreign);
      expect(await messageOf(kind.destroy(id, 'mallory'))).toBe(foreign);
      clock.advance(20 * MINUTE);
      await kind.acquire(id, 'mallory').catch(() => undefined);
      clock.advance(11 * MINUTE);
      await kind.sweep();
      // Mallory's attempts did not keep it alive; now ended, it is still unknown to her.
      expect(await messageOf(kind.get(id, 'mallory'))).toBe(foreign);
      expect(await messageOf(kind.get(id, 'alice'))).toMatch(
        /^SESSION_ENDED: Basket ID has expired/,
      );
    });

    it('restarts the idle clock on use by the owner only; list and reads never do', async () => {
      const { kind, clock } = baskets();
      const { id } = await kind.create('alice', []);
      clock.advance(20 * MINUTE);
      await kind.list('alice');
      await kind.get(id, 'alice');
      clock.advance(11 * MINUTE);
      await kind.sweep();
      await expect(kind.get(id, 'alice')).rejects.toMatchObject({
        code: 'SESSION_ENDED',
        tombstone: { reason: 'idle' },
      });
      const used = await kind.create('alice', []);
      clock.advance(20 * MINUTE);
      await (await kind.acquire(used.id, 'alice')).release();
      clock.advance(20 * MINUTE);
      await kind.sweep();
      expect((await kind.get(used.id, 'alice')).id).toBe(used.id);
    });

    it('ends a handle at its maximum lifetime even while in use', async () => {
      const { kind, clock } = baskets({ maxLifetimeMs: 60 * MINUTE });
      const { id } = await kind.create('alice', []);
      const lease = await kind.acquire(id, 'alice');
      clock.advance(60 * MINUTE);
      await kind.sweep();
      await lease.release();
      const error = await kind.get(id, 'alice').catch((e: Error) => e);
      expect(error).toMatchObject({ code: 'SESSION_ENDED', tombstone: { reason: 'lifetime' } });
      expect((error as Error).message).toContain('maximum lifetime of 1 hour');
    });

    it('keeps a pinned handle alive past its idle TTL until the call ends', async () => {
      const { kind, clock } = baskets();
      const { id } = await kind.create('alice', []);
      const lease = await kind.acquire(id, 'alice');
      clock.advance(45 * MINUTE);
      await kind.sweep();
      expect((await kind.get(id, 'alice')).id).toBe(id);
      await lease.release();
      clock.advance(29 * MINUTE);
      await kind.sweep();
      expect((await kind.get(id, 'alice')).id).toBe(id);
    });

    it('refuses a handle past the per-owner quota, naming the limit', async () => {
      const { kind } = baskets();
      for (let i = 0; i < 3; i++) await kind.create('alice', []);
      const refused = await kind.create('alice', []).catch((e: Error) => e);
      expect(refused).toMatchObject({ code: 'OWNER_QUOTA' });
      expect((refused as Error).message).toMatch(
        /^You already hold 3 live baskets, the most allowed/,
      );
      await kind.create('bob', []);
      await kind.create(undefined, []);
      const [first] = await kind.list('alice');
      await kind.destroy(first!.id, 'alice');
      await kind.create('alice', []);
    });

    it('destroys with reason deleted; later uses say expired, with reason and time', async () => {
      const { kind, clock } = baskets();
      const { id } = await kind.create('alice', ['a']);
      await kind.destroy(id, 'alice');
      const error = (await kind.get(id, 'alice').catch((e: Error) => e)) as Error;
      expect(error).toMatchObject({ code: 'SESSION_ENDED', tombstone: { reason: 'deleted' } });
      expect(error.message).toBe(
        `Basket ${id} has expired: it was destroyed (at ${new Date(clock.now()).toISOString()}). ` +
          'Its contents are gone. Create a new basket with create_basket.',
      );
      await expect(kind.destroy(id, 'alice')).rejects.toMatchObject({ code: 'SESSION_ENDED' });
      await expect(kind.acquire(id, 'alice')).rejects.toMatchObject({ code: 'SESSION_ENDED' });
    });

    it('lists only the caller’s live handles of the kind, oldest first, leaving out expired ones', async () => {
      const { kind, clock } = baskets();
      const first = await kind.create('alice', []);
      clock.advance(10 * MINUTE);
      const second = await kind.create('alice', []);
      await kind.create('bob', []);
      await kind.create(undefined, []);
      expect((await kind.list('alice')).map((h) => h.id)).toEqual([first.id, second.id]);
      expect(await kind.list(undefined)).toEqual([]);
      clock.advance(25 * MINUTE);
      expect((await kind.list('alice')).map((h) => h.id)).toEqual([second.id]);
    });

    it('lets anyone holding an unowned handle use it, and no owner reach it', async () => {
      const { kind } = baskets();
      const { id } = await kind.create(undefined, []);
      await kind.update(id, undefined, (items) => [...items, 'shared']);
      expect((await kind.get(id, undefined)).data).toEqual(['shared']);
      await expect(kind.get(id, 'alice')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    });
  });
}
