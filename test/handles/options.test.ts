import { afterEach, describe, expect, it } from 'vitest';
import { HandleKind, type HandleKindOptions } from '../../src/handles/index.js';
import { MemoryStore } from '../../src/index.js';

const kinds: HandleKind[] = [];
afterEach(async () => {
  await Promise.all(kinds.splice(0).map((k) => k.close()));
});

function make(options: Record<string, unknown>): HandleKind {
  const all = { name: 'basket', prefix: 'bsk', autoStart: false, ...options };
  const kind = new HandleKind(all as unknown as HandleKindOptions);
  kinds.push(kind);
  return kind;
}

describe('HandleKind options', () => {
  it.each([
    [{ name: 'Basket' }, /`name`: expected 1 to 32 characters of a-z.*got "Basket"/],
    [{ prefix: 'bsk_' }, /`prefix`: expected a lowercase letter.*got "bsk_"/],
    [{ prefix: '' }, /`prefix`/],
    [{ idBytes: 8 }, /`idBytes`: expected an integer from 16 to 64, got 8/],
    [{ idleTtlMs: -1 }, /`idleTtlMs`/],
    [{ idleTtlMs: 0 }, /handles must expire/],
    [{ maxPerOwner: 0 }, /`maxPerOwner`: expected an integer >= 1, or Infinity.*got 0/],
    [{ maxHandles: 1.5 }, /`maxHandles`/],
    [{ ownerOf: 'alice' }, /`ownerOf`/],
    [{ argument: 'basket id' }, /`argument`/],
    [{ store: {} }, /`store`/],
    [{ colour: 'red' }, /colour/],
  ])('refuses %o with INVALID_OPTION naming the field and range', (bad, message) => {
    expect(() => make(bad)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION', message: expect.stringMatching(message) }),
    );
  });

  it('has defaults: 30 minutes idle, 100 per owner, 16 random bytes, derived names', async () => {
    const kind = make({});
    expect(kind.policy).toEqual({ idleTtlMs: 1_800_000, maxLifetimeMs: 0 });
    expect(kind.durability).toBe('Baskets last 30 minutes after their last use.');
    expect([kind.argument, kind.createTool, kind.listTool, kind.destroyTool]).toEqual([
      'basket_id',
      'create_basket',
      'list_baskets',
      'destroy_basket',
    ]);
    expect(kind.sessions.policy.maxSessionsPerOwner).toBe(100);
    expect((await kind.create(undefined, null)).id).toMatch(/^bsk_[A-Za-z0-9_-]{22}$/);
  });

  it('takes a lifetime alone, longer IDs, a plural and a durability sentence of its own', async () => {
    const kind = make({
      idleTtlMs: 0,
      maxLifetimeMs: 7_200_000,
      idBytes: 32,
      plural: 'baskets_xl',
    });
    expect(kind.durability).toBe('Baskets_xl last 2 hours from their creation.');
    expect((await kind.create(undefined, null)).id).toMatch(/^bsk_[A-Za-z0-9_-]{43}$/);
    expect(make({ prefix: 'b2', durability: 'Forever, almost.' }).durability).toBe(
      'Forever, almost.',
    );
  });

  it('refuses a store another open kind uses, and frees it on close', async () => {
    const store = new MemoryStore();
    const first = make({ store });
    expect(() => make({ store, name: 'cart', prefix: 'crt' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringMatching(/already used by the handle kind 'basket'/),
      }),
    );
    await first.close();
    expect(make({ store, name: 'cart', prefix: 'crt' }).name).toBe('cart');
  });
});
