import { describe, expect, it } from 'vitest';
import { isSessionError, MemoryStore } from '../../src/index.js';
import { isResourceError, type ResourceContext, ResourceError } from '../../src/resources/index.js';
import {
  type Deferred,
  deferred,
  FakeResource,
  flush,
  type setup,
  trackedSetup,
} from '../support/resources.js';

describe('SessionResources.get', () => {
  const world = trackedSetup();

  /** A pool whose factory waits for the test to hand out each resource. */
  function gated(...args: Parameters<typeof setup>) {
    const calls: { context: ResourceContext; gate: Deferred<FakeResource> }[] = [];
    const w = world(
      {
        create: (context) => {
          const gate = deferred<FakeResource>();
          calls.push({ context, gate });
          return gate.promise;
        },
        ...args[0],
      },
      args[1],
    );
    return { ...w, calls };
  }

  it('creates once per (session, key) and answers the same resource after', async () => {
    const w = world();
    const { id } = await w.manager.create();
    const created: unknown[] = [];
    w.pool.on('created', (info) => created.push(info));
    const a = await w.pool.get(id, 'a');
    expect(a).toBeInstanceOf(FakeResource);
    expect(await w.pool.get(id, 'a')).toBe(a);
    const b = await w.pool.get(id, 'b');
    expect(b).not.toBe(a);
    expect(created).toEqual([
      { sessionId: id, key: 'a' },
      { sessionId: id, key: 'b' },
    ]);
    expect(w.pool.has(id, 'a')).toBe(true);
    expect(w.pool.count(id)).toBe(2);
    expect(w.pool.count()).toBe(2);
    expect(w.pool.stats()).toMatchObject({ sessions: 1, resources: 2, created: 2, creating: 0 });
  });

  it('shares one creation among 100 concurrent gets', async () => {
    const w = gated();
    const { id } = await w.manager.create({ owner: 'u' });
    const gets = Array.from({ length: 100 }, () => w.pool.get(id, 'a', { owner: 'u' }));
    await flush();
    expect(w.calls).toHaveLength(1);
    expect(w.pool.stats().creating).toBe(1);
    const resource = new FakeResource(id, 'a');
    w.calls[0]!.gate.resolve(resource);
    const got = await Promise.all(gets);
    expect(new Set(got)).toEqual(new Set([resource]));
    expect(w.calls).toHaveLength(1);
    expect(w.pool.stats()).toMatchObject({ created: 1, creating: 0, resources: 1 });
    expect(w.calls[0]!.context).toMatchObject({ sessionId: id, key: 'a', owner: 'u' });
  });

  it('reports a failed creation to every waiting getter and does not cache it', async () => {
    const w = gated();
    const { id } = await w.manager.create();
    const gets = Array.from({ length: 5 }, () => w.pool.get(id, 'a'));
    await flush();
    const cause = new Error('backend down');
    w.calls[0]!.gate.reject(cause);
    const results = await Promise.allSettled(gets);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason;
      expect(isResourceError(error, 'CREATE_FAILED')).toBe(true);
      expect((error as ResourceError).cause).toBe(cause);
      expect((error as ResourceError).message).toContain('backend down');
      expect((error as ResourceError).key).toBe('a');
    }
    expect(w.pool.has(id, 'a')).toBe(false);
    expect(w.pool.stats()).toMatchObject({ createFailures: 1, creating: 0, sessions: 0 });

    const retry = w.pool.get(id, 'a');
    await flush();
    expect(w.calls).toHaveLength(2);
    const resource = new FakeResource(id, 'a');
    w.calls[1]!.gate.resolve(resource);
    expect(await retry).toBe(resource);
  });

  it('wraps a factory that throws synchronously', async () => {
    const w = world({
      create: () => {
        throw new TypeError('bad config');
      },
    });
    const { id } = await w.manager.create();
    await expect(w.pool.get(id, 'a')).rejects.toSatisfy(
      (e) => isResourceError(e, 'CREATE_FAILED') && (e as Error).cause instanceof TypeError,
    );
  });

  it('closes a resource that arrives after its session ended; the getters get SESSION_ENDED', async () => {
    const w = gated();
    const { id } = await w.manager.create();
    const gets = Array.from({ length: 3 }, () => w.pool.get(id, 'a'));
    await flush();
    const { context, gate } = w.calls[0]!;
    expect(context.signal.aborted).toBe(false);

    expect(await w.manager.end(id, 'deleted')).toBe(true);
    expect(context.signal.aborted).toBe(true);

    const late = new FakeResource(id, 'a');
    gate.resolve(late);
    for (const result of await Promise.allSettled(gets)) {
      const error = (result as PromiseRejectedResult).reason as ResourceError;
      expect(error.code).toBe('SESSION_ENDED');
      expect(error.reason).toBe('deleted');
    }
    await flush();
    expect(late.closes).toBe(1);
    expect(w.closed).toEqual([{ sessionId: id, key: 'a', reason: 'session-ended' }]);
    expect(w.pool.stats()).toMatchObject({ resources: 0, creating: 0, sessions: 0 });
    await w.pool.close();
    expect(late.closes).toBe(1);
  });

  it('answers SESSION_ENDED when the factory gives up on abort after its session ended', async () => {
    const w = world({
      create: ({ signal }) =>
        new Promise<FakeResource>((_, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    const { id } = await w.manager.create();
    const get = w.pool.get(id, 'a');
    await flush();
    await w.manager.end(id);
    await expect(get).rejects.toSatisfy((e) => isResourceError(e, 'SESSION_ENDED'));
    expect(w.pool.stats()).toMatchObject({ createFailures: 0, creating: 0 });
  });

  it('closes a resource deleted while being created; its getters get DELETED', async () => {
    const w = gated();
    const { id } = await w.manager.create();
    const get = w.pool.get(id, 'a');
    await flush();
    expect(await w.pool.delete(id, 'a')).toBe(true);
    expect(w.calls[0]!.context.signal.aborted).toBe(true); // first read after the delete
    const late = new FakeResource(id, 'a');
    w.calls[0]!.gate.resolve(late);
    await expect(get).rejects.toSatisfy((e) => isResourceError(e, 'DELETED'));
    await flush();
    expect(late.closes).toBe(1);
    expect(w.pool.stats().closed.deleted).toBe(1);
  });

  it('closes a resource arriving after the pool closed; its getters get CLOSED', async () => {
    const w = gated({ closeTimeoutMs: 1_000 });
    const { id } = await w.manager.create();
    const get = w.pool.get(id, 'a');
    await flush();
    const closing = w.pool.close();
    const late = new FakeResource(id, 'a');
    w.calls[0]!.gate.resolve(late);
    await closing;
    expect(late.closes).toBe(1);
    await expect(get).rejects.toSatisfy((e) => isResourceError(e, 'CLOSED'));
  });

  it('refuses the getters at once when the session ends, even if the factory never answers', async () => {
    const w = world({
      closeTimeoutMs: 20,
      create: () => new Promise<FakeResource>(() => undefined),
    });
    const { id } = await w.manager.create();
    const gets = [w.pool.get(id, 'a'), w.pool.get(id, 'a')];
    await flush();
    expect(w.pool.stats().creating).toBe(1);
    await w.manager.end(id);
    for (const result of await Promise.allSettled(gets)) {
      expect(isResourceError((result as PromiseRejectedResult).reason, 'SESSION_ENDED')).toBe(true);
    }
    await w.pool.close();
    expect(w.failures).toHaveLength(1);
    expect(w.failures[0]!.phase).toBe('close');
    expect(w.failures[0]!.sessionId).toBeUndefined();
    expect(isResourceError(w.failures[0]!.error, 'CLOSE_TIMEOUT')).toBe(true);
  });

  it('refuses an unknown session with SESSION_NOT_FOUND and keeps nothing', async () => {
    const w = world();
    await expect(w.pool.get('no-such-session', 'a')).rejects.toSatisfy(
      (e) =>
        isResourceError(e, 'SESSION_NOT_FOUND') &&
        (e as ResourceError).sessionId === 'no-such-session',
    );
    expect(w.made).toHaveLength(0);
    expect(w.pool.stats().sessions).toBe(0);
    expect((await w.manager.stats()).attached).toBe(0);
  });

  it('refuses an ended session with SESSION_ENDED and its reason', async () => {
    const w = world();
    const { id } = await w.manager.create();
    await w.manager.end(id, 'deleted');
    const error = await w.pool.get(id, 'a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceError);
    expect(error).toMatchObject({ code: 'SESSION_ENDED', reason: 'deleted', key: 'a' });
    expect(w.made).toHaveLength(0);
  });

  it("refuses another owner's session as not found, with or without a held resource", async () => {
    const w = world();
    const { id } = await w.manager.create({ owner: 'alice' });
    await expect(w.pool.get(id, 'a', { owner: 'bob' })).rejects.toSatisfy((e) =>
      isResourceError(e, 'SESSION_NOT_FOUND'),
    );
    await expect(w.pool.get(id, 'a')).rejects.toSatisfy((e) =>
      isResourceError(e, 'SESSION_NOT_FOUND'),
    );
    const a = await w.pool.get(id, 'a', { owner: 'alice' });
    await expect(w.pool.get(id, 'a', { owner: 'bob' })).rejects.toSatisfy((e) =>
      isResourceError(e, 'SESSION_NOT_FOUND'),
    );
    await expect(w.pool.get(id, 'b', { owner: 'bob' })).rejects.toSatisfy((e) =>
      isResourceError(e, 'SESSION_NOT_FOUND'),
    );
    await expect(w.pool.use(id, 'a', () => 1, { owner: 'bob' })).rejects.toSatisfy((e) =>
      isResourceError(e, 'SESSION_NOT_FOUND'),
    );
    expect(w.made).toEqual([a]);
  });

  it("lets the owner's get through when another owner started the creation", async () => {
    const w = world();
    const { id } = await w.manager.create({ owner: 'alice' });
    const [bob, alice] = await Promise.allSettled([
      w.pool.get(id, 'a', { owner: 'bob' }),
      w.pool.get(id, 'a', { owner: 'alice' }),
    ]);
    expect(bob.status).toBe('rejected');
    expect(isResourceError((bob as PromiseRejectedResult).reason, 'SESSION_NOT_FOUND')).toBe(true);
    expect(alice.status).toBe('fulfilled');
    expect(w.made).toHaveLength(1);
  });

  it('rejects malformed IDs and keys with SessionError', async () => {
    const w = world();
    const { id } = await w.manager.create();
    await expect(w.pool.get('bad id', 'a')).rejects.toSatisfy((e) =>
      isSessionError(e, 'INVALID_SESSION_ID'),
    );
    await expect(w.pool.get(id, '')).rejects.toSatisfy((e) =>
      isSessionError(e, 'INVALID_ARGUMENT'),
    );
    await expect(w.pool.get(id, 'k'.repeat(1025))).rejects.toSatisfy((e) =>
      isSessionError(e, 'INVALID_ARGUMENT'),
    );
    await expect(w.pool.get(id, 42 as unknown as string)).rejects.toSatisfy((e) =>
      isSessionError(e, 'INVALID_ARGUMENT'),
    );
    await expect(w.pool.use(id, 'a', 'nope' as never)).rejects.toSatisfy((e) =>
      isSessionError(e, 'INVALID_ARGUMENT'),
    );
    expect(w.made).toHaveLength(0);
  });

  it('passes through STORE_UNAVAILABLE and CLOSED from the manager', async () => {
    const store = new MemoryStore();
    const w = world({}, { store });
    const { id } = await w.manager.create();
    const get = store.get.bind(store);
    store.get = () => Promise.reject(new Error('connection refused'));
    await expect(w.pool.get(id, 'a')).rejects.toSatisfy((e) =>
      isSessionError(e, 'STORE_UNAVAILABLE'),
    );
    expect(w.pool.stats()).toMatchObject({ sessions: 0, creating: 0 });
    store.get = get;
    expect(await w.pool.get(id, 'a')).toBeInstanceOf(FakeResource);

    await w.manager.close();
    expect(w.made[0]!.closes).toBe(1);
    await expect(w.pool.get(id, 'a')).rejects.toSatisfy((e) => isSessionError(e, 'CLOSED'));
    expect(w.pool.stats().sessions).toBe(0);
  });
});
