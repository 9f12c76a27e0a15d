import { describe, expect, it } from 'vitest';
import { isResourceError } from '../../src/resources/index.js';
import { flush, type setup, trackedSetup } from '../support/resources.js';

/** Every path that closes a resource closes it exactly once, whatever else happens later. */
describe('SessionResources close paths', () => {
  const world = trackedSetup();

  /** After the path under test, every other closing operation must leave the count at 1. */
  async function closeEverythingElse(w: ReturnType<typeof setup>, id: string) {
    await w.pool.delete(id, 'a');
    await w.pool.sweep();
    await w.manager.end(id).catch(() => false);
    await w.pool.close();
    await w.manager.close();
  }

  it('closes every resource of a session ended by the manager', async () => {
    const w = world();
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    const b = await w.pool.get(id, 'b');
    expect(w.pool.count(id)).toBe(2);

    expect(await w.manager.end(id, 'deleted')).toBe(true);

    expect([a.closes, b.closes]).toEqual([1, 1]);
    expect(w.closed.map((c) => c.reason)).toEqual(['session-ended', 'session-ended']);
    expect(w.pool.count(id)).toBe(0);
    expect(w.pool.stats().closed['session-ended']).toBe(2);
    await closeEverythingElse(w, id);
    expect([a.closes, b.closes]).toEqual([1, 1]);
  });

  it('closes the resources of a session that idles out in the manager sweep', async () => {
    const w = world();
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    w.clock.advance(60_000);
    expect(await w.manager.sweep()).toBe(1);
    expect(a.closes).toBe(1);
    expect(w.closed).toEqual([{ sessionId: id, key: 'a', reason: 'session-ended' }]);
    await closeEverythingElse(w, id);
    expect(a.closes).toBe(1);
  });

  it('closes the resources of a session evicted at capacity', async () => {
    const w = world({}, { maxSessions: 1, capacityPolicy: 'evict-oldest' });
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    await w.manager.create();
    expect(a.closes).toBe(1);
    await closeEverythingElse(w, id);
    expect(a.closes).toBe(1);
  });

  it('closes every resource when the manager closes (reason shutdown)', async () => {
    const w = world();
    const one = await w.manager.create();
    const two = await w.manager.create();
    const a = await w.pool.get(one.id, 'a');
    const b = await w.pool.get(two.id, 'a');
    await w.manager.close();
    expect([a.closes, b.closes]).toEqual([1, 1]);
    expect(w.pool.stats()).toMatchObject({ sessions: 0, resources: 0 });
    await w.pool.close();
    expect([a.closes, b.closes]).toEqual([1, 1]);
  });

  it('closes a resource idle past idleTimeoutMs, and not before', async () => {
    const w = world({ idleTimeoutMs: 1_000 });
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    w.clock.advance(999);
    expect(await w.pool.sweep()).toBe(0);
    await w.pool.get(id, 'a'); // a get restarts the idle clock
    w.clock.advance(999);
    expect(await w.pool.sweep()).toBe(0);
    expect(a.closes).toBe(0);
    w.clock.advance(1);
    expect(await w.pool.sweep()).toBe(1);
    expect(a.closes).toBe(1);
    expect(w.closed).toEqual([{ sessionId: id, key: 'a', reason: 'idle' }]);
    expect(w.pool.has(id, 'a')).toBe(false);

    const again = await w.pool.get(id, 'a');
    expect(again).not.toBe(a);
    expect(w.made).toHaveLength(2);
    await closeEverythingElse(w, id);
    expect([a.closes, again.closes]).toEqual([1, 1]);
  });

  it('sweeps oldest first and stops at the first resource still in use', async () => {
    const w = world({ idleTimeoutMs: 1_000 });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    w.clock.advance(500);
    await w.pool.get(id, 'b');
    w.clock.advance(500);
    expect(await w.pool.sweep()).toBe(1);
    expect(w.made.map((r) => r.closes)).toEqual([1, 0]);
    w.clock.advance(500);
    expect(await w.pool.sweep()).toBe(1);
    expect(w.made.map((r) => r.closes)).toEqual([1, 1]);
  });

  it('never idles out a resource inside use(); its idle clock restarts when use() ends', async () => {
    const w = world({ idleTimeoutMs: 1_000 });
    const { id } = await w.manager.create();
    let finish!: () => void;
    const running = w.pool.use(id, 'a', () => new Promise<void>((r) => (finish = r)));
    await flush();
    expect(w.pool.stats().inUse).toBe(1);
    w.clock.advance(5_000);
    expect(await w.pool.sweep()).toBe(0);
    finish();
    await running;
    expect(w.pool.stats().inUse).toBe(0);
    w.clock.advance(999);
    expect(await w.pool.sweep()).toBe(0);
    w.clock.advance(1);
    expect(await w.pool.sweep()).toBe(1);
    expect(w.made[0]!.closes).toBe(1);
  });

  it('never idles out with idleTimeoutMs 0', async () => {
    const w = world({ idleTimeoutMs: 0 });
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    w.clock.advance(10 * 365 * 24 * 3_600_000);
    expect(await w.pool.sweep()).toBe(0);
    expect(a.closes).toBe(0);
    w.pool.start();
    expect(w.pool.running).toBe(false);
  });

  it('closes a deleted resource and answers whether there was one', async () => {
    const w = world();
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    expect(await w.pool.delete(id, 'a')).toBe(true);
    expect(a.closes).toBe(1);
    expect(await w.pool.delete(id, 'a')).toBe(false);
    expect(w.closed).toEqual([{ sessionId: id, key: 'a', reason: 'deleted' }]);
    await closeEverythingElse(w, id);
    expect(a.closes).toBe(1);
  });

  it('closes everything on pool close (reason shutdown), leaves sessions alone, refuses later gets', async () => {
    const w = world();
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    const b = await w.pool.get(id, 'b');
    await w.pool.close();
    expect([a.closes, b.closes]).toEqual([1, 1]);
    expect(w.pool.stats().closed.shutdown).toBe(2);
    expect((await w.manager.resolve(id)).status).toBe('active');
    await expect(w.pool.get(id, 'a')).rejects.toSatisfy((e) => isResourceError(e, 'CLOSED'));
    await w.manager.end(id);
    expect([a.closes, b.closes]).toEqual([1, 1]);
  });

  it('detaches from the manager once a session holds nothing', async () => {
    const w = world();
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    expect((await w.manager.stats()).attached).toBe(1);
    await w.pool.delete(id, 'a');
    expect((await w.manager.stats()).attached).toBe(0);
    expect(w.pool.stats().sessions).toBe(0);
  });
});
