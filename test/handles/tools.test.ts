import { afterEach, describe, expect, it } from 'vitest';
import {
  destroyTool,
  HandleKind,
  type HandleKindOptions,
  type HandleToolResult,
  listTool,
  SessionError,
  toolError,
  withHandle,
} from '../../src/handles/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

const MINUTE = 60_000;
const kinds: HandleKind<string[]>[] = [];
afterEach(async () => {
  await Promise.all(kinds.splice(0).map((k) => k.close()));
});

function baskets(options: Partial<HandleKindOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 6, 28));
  const kind = new HandleKind<string[]>({
    name: 'basket',
    prefix: 'bsk',
    maxPerOwner: 2,
    clock,
    autoStart: false,
    ...options,
  });
  kinds.push(kind);
  return { kind, clock };
}

/** SDK v1 puts the caller at `extra.authInfo`, SDK v2 at `ctx.http.authInfo`. */
const v1 = (sub: string) => ({
  authInfo: { token: 't', clientId: 'app', scopes: [], extra: { sub } },
});
const v2 = (sub: string) => ({
  http: { authInfo: { token: 't', clientId: 'app', scopes: [], extra: { sub } } },
});
const text = (result: HandleToolResult) => result.content.map((c) => c.text).join('');

function viewTool(kind: HandleKind<string[]>) {
  return withHandle(kind, (_args: { basket_id: unknown }, call) => ({
    content: [{ type: 'text', text: call.handle.data.join(', ') }],
  }));
}

describe('withHandle', () => {
  it('resolves the caller’s handle and passes it in, with an atomic update', async () => {
    const { kind } = baskets();
    const owner = kind.ownerOf(v1('alice'));
    expect(owner).toBe('["app","alice"]');
    expect(kind.ownerOf(v2('alice'))).toBe(owner);
    const { id } = await kind.create(owner, ['apple']);
    const add = withHandle(kind, async (args: { basket_id: string; item: string }, call) => {
      const updated = await call.update((items) => [...items, args.item]);
      return { content: [{ type: 'text', text: `${updated.data.length} items` }] };
    });
    expect(text(await add({ basket_id: id, item: 'pear' }, v2('alice')))).toBe('2 items');
    expect(text(await viewTool(kind)({ basket_id: id }, v1('alice')))).toBe('apple, pear');
  });

  it('answers a well-formed handle never issued, another owner’s and an unknown one with one text', async () => {
    const { kind, clock } = baskets();
    const live = await kind.create(kind.ownerOf(v1('alice')), []);
    const destroyed = await kind.create(kind.ownerOf(v1('alice')), []);
    await kind.destroy(destroyed.id, kind.ownerOf(v1('alice')));
    const never = `bsk_${Buffer.alloc(16, 1).toString('base64url')}`;
    const view = viewTool(kind);
    const answers = [
      await view({ basket_id: never }, v1('bob')),
      await view({ basket_id: live.id }, v1('bob')),
      await view({ basket_id: destroyed.id }, v1('bob')),
      await view({ basket_id: live.id }, {}),
    ];
    const texts = answers.map((a, i) => {
      expect(a.isError).toBe(true);
      const id = [never, live.id, destroyed.id, live.id][i]!;
      expect(text(a)).toContain(id);
      return text(a).replace(id, 'ID');
    });
    expect(new Set(texts)).toEqual(
      new Set([
        'Basket ID was not found: it does not exist or is not yours. Create a new basket with create_basket.',
      ]),
    );
    clock.advance(31 * MINUTE);
    await kind.sweep();
    expect(text(await view({ basket_id: live.id }, v1('bob'))).replace(live.id, 'ID')).toBe(
      texts[0],
    );
    const expired = await view({ basket_id: live.id }, v1('alice'));
    expect(expired.isError).toBe(true);
    expect(text(expired)).toBe(
      `Basket ${live.id} has expired: it was not used for 30 minutes (at ${new Date(clock.now()).toISOString()}). ` +
        'Its contents are gone. Create a new basket with create_basket.',
    );
  });

  it('answers a malformed handle and a handle of another kind with a tool error, never a throw', async () => {
    const { kind } = baskets();
    const view = viewTool(kind);
    for (const bad of ['nope', 42, undefined, 'bsk_short', `bsk_${'a'.repeat(300)}`]) {
      const answer = await view({ basket_id: bad }, {});
      expect(answer.isError).toBe(true);
      expect(text(answer)).toBe(
        'Invalid basket_id: not a basket handle. A basket handle is bsk_ followed by 22 letters, digits, - or _, as create_basket answers it.',
      );
    }
    const other = await view({ basket_id: `crt_${Buffer.alloc(16).toString('base64url')}` }, {});
    expect(text(other)).toMatch(/^Invalid basket_id: a handle of another kind, not a basket\./);
  });

  it('updates in one store call per update: the call starts from the record it acquired', async () => {
    const store = new (class extends FaultyStore {
      gets = 0;
      updates = 0;
      override get: FaultyStore['get'] = (...a) => {
        this.gets++;
        return this.inner.get(...a);
      };
      override update: FaultyStore['update'] = (...a) => {
        this.updates++;
        return this.inner.update(...a);
      };
    })();
    const { kind } = baskets({ store });
    const { id } = await kind.create(undefined, []);
    const addTwo = withHandle(kind, async (_args: { basket_id: string }, call) => {
      await call.update((items) => [...items, 'a']);
      const updated = await call.update((items) => [...items, 'b']);
      return { content: [{ type: 'text', text: updated.data.join(',') }] };
    });
    expect(text(await addTwo({ basket_id: id }, {}))).toBe('a,b');
    expect(store.updates).toBe(2);
    expect(store.gets).toBe(0);
    // Another writer in between: the stale start costs one refused write, and both items land.
    const rival = withHandle(kind, async (_args: { basket_id: string }, call) => {
      await kind.update(id, undefined, (items) => [...items, 'rival']);
      const updated = await call.update((items) => [...items, 'c']);
      return { content: [{ type: 'text', text: updated.data.join(',') }] };
    });
    expect(text(await rival({ basket_id: id }, {}))).toBe('a,b,rival,c');
  });

  it('pins the handle for the call: a long call never expires its own handle', async () => {
    const { kind, clock } = baskets();
    const { id } = await kind.create(undefined, []);
    let finish!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow = withHandle(kind, async (_args: { basket_id: string }) => {
      started();
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      return { content: [{ type: 'text', text: 'done' }] };
    });
    const call = slow({ basket_id: id }, {});
    await running;
    clock.advance(60 * MINUTE);
    expect(await kind.sweep()).toBe(0);
    finish();
    expect(text(await call)).toBe('done');
    expect((await kind.sessions.stats()).pinned).toBe(0);
    clock.advance(29 * MINUTE);
    expect(await kind.sweep()).toBe(0);
    expect((await kind.get(id, undefined)).id).toBe(id);
  });

  it('answers a store outage with "retry later", and lets other throws reach the SDK', async () => {
    const store = new FaultyStore();
    const { kind } = baskets({ store });
    const { id } = await kind.create(undefined, []);
    store.failing = true;
    const answer = await viewTool(kind)({ basket_id: id }, {});
    expect(answer).toEqual({
      content: [
        {
          type: 'text',
          text: 'Baskets are unavailable right now (their store cannot be reached). Retry later.',
        },
      ],
      isError: true,
    });
    expect(text(toolError(await kind.create(undefined, []).catch((e: unknown) => e)))).toMatch(
      /^Baskets are unavailable/,
    );
    store.failing = false;
    const failing = withHandle(kind, () => {
      throw new TypeError('bug');
    });
    await expect(failing({ basket_id: id }, {})).rejects.toThrow('bug');
    const refused = withHandle(kind, () => {
      throw new SessionError('INVALID_ARGUMENT', 'Item too long.');
    });
    expect(await refused({ basket_id: id }, {})).toEqual({
      content: [{ type: 'text', text: 'Item too long.' }],
      isError: true,
    });
  });

  it('uses a custom ownerOf with the auth info and the whole extra', async () => {
    const { kind } = baskets({
      ownerOf: (auth, extra) => `${auth?.clientId}/${(extra as { tenant: string }).tenant}`,
    });
    expect(kind.ownerOf({ authInfo: { clientId: 'c' }, tenant: 't1' })).toBe('c/t1');
  });
});

describe('list and destroy tools', () => {
  it('describe themselves with the durability sentence and take the handle argument', () => {
    const { kind } = baskets({ maxLifetimeMs: 24 * 60 * MINUTE });
    expect(kind.durability).toBe(
      'Baskets last 30 minutes after their last use, and at most 1 day in all.',
    );
    const list = listTool(kind);
    const destroy = destroyTool(kind);
    expect(list.name).toBe('list_baskets');
    expect(destroy.name).toBe('destroy_basket');
    expect(list.config.description).toContain(kind.durability);
    expect(destroy.config.description).toContain(kind.durability);
    expect(list.config.inputSchema).toBeUndefined();
    expect(Object.keys((destroy.config.inputSchema as { shape: object }).shape)).toEqual([
      'basket_id',
    ]);
  });

  it('list the caller’s live handles without restarting their idle clocks', async () => {
    const { kind, clock } = baskets();
    const alice = kind.ownerOf(v1('alice'));
    const a = await kind.create(alice, []);
    await kind.create(kind.ownerOf(v1('bob')), []);
    const list = listTool(kind).callback;
    expect(text(await list(v1('alice')))).toBe(
      `Your baskets (1):\n${a.id} (created ${new Date(a.createdAt).toISOString()}, last used ${new Date(a.lastSeenAt).toISOString()})`,
    );
    expect(text(await list({}))).toBe('You hold no baskets.');
    clock.advance(20 * MINUTE);
    await list(v1('alice'));
    clock.advance(10 * MINUTE);
    expect(text(await list(v1('alice')))).toBe('You hold no baskets.');
  });

  it('destroy the caller’s handle; an unknown or foreign one answers the not-found text', async () => {
    const { kind } = baskets();
    const { id } = await kind.create(kind.ownerOf(v1('alice')), []);
    const destroy = destroyTool(kind).callback;
    const foreign = await destroy({ basket_id: id }, v1('bob'));
    const never = `bsk_${Buffer.alloc(16, 2).toString('base64url')}`;
    const unknown = await destroy({ basket_id: never }, v1('bob'));
    expect(foreign.isError).toBe(true);
    expect(text(foreign).replace(id, 'ID')).toBe(text(unknown).replace(never, 'ID'));
    expect(await destroy({ basket_id: id }, v1('alice'))).toEqual({
      content: [{ type: 'text', text: `Basket ${id} destroyed.` }],
    });
    expect(text(await destroy({ basket_id: id }, v1('alice')))).toMatch(
      /has expired: it was destroyed/,
    );
    expect((await destroy({ basket_id: 'x' }, v1('alice'))).isError).toBe(true);
  });

  it('answer the quota with its limit as a tool error', async () => {
    const { kind } = baskets();
    const alice = kind.ownerOf(v1('alice'));
    await kind.create(alice, []);
    await kind.create(alice, []);
    const refused = toolError(await kind.create(alice, []).catch((e: unknown) => e));
    expect(refused.isError).toBe(true);
    expect(text(refused)).toBe(
      'You already hold 2 live baskets, the most allowed. Destroy one you no longer need with destroy_basket (see list_baskets), or wait until one expires, then create the basket again.',
    );
  });

  it('answer a full kind (maxHandles) with "retry later"', async () => {
    const { kind } = baskets({ maxHandles: 1 });
    await kind.create(undefined, []);
    const refused = toolError(await kind.create(undefined, []).catch((e: unknown) => e));
    expect(refused).toEqual({
      content: [{ type: 'text', text: 'Too many baskets are open on this server. Retry later.' }],
      isError: true,
    });
  });

  it('answer expired for a handle past its idle TTL that no sweep has ended yet', async () => {
    const { kind, clock } = baskets();
    const { id } = await kind.create(undefined, ['a']);
    clock.advance(30 * MINUTE);
    const answer = await viewTool(kind)({ basket_id: id }, {});
    expect(answer.isError).toBe(true);
    expect(text(answer)).toMatch(
      new RegExp(`^Basket ${id} has expired: it was not used for 30 minutes`),
    );
  });
});
