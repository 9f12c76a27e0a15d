import { describe, expect, it } from 'vitest';
import { flush, trackedSetup } from '../support/resources.js';

describe('SessionResources error accounting', () => {
  const world = trackedSetup();

  it('counts consecutive failures up to the default of 10, then evicts and closes once', async () => {
    const w = world();
    const { id } = await w.manager.create();
    const a = await w.pool.get(id, 'a');
    for (let i = 1; i <= 9; i++) expect(w.pool.recordFailure(id, 'a', new Error(`e${i}`))).toBe(i);
    expect(w.pool.has(id, 'a')).toBe(true);
    expect(a.closes).toBe(0);

    const last = new Error('e10');
    expect(w.pool.recordFailure(id, 'a', last)).toBe(10);
    expect(w.pool.has(id, 'a')).toBe(false);
    await flush();
    expect(a.closes).toBe(1);
    expect(w.closed).toEqual([{ sessionId: id, key: 'a', reason: 'failures', error: last }]);
    expect(w.pool.stats()).toMatchObject({ evicted: 1, failures: 10, resources: 0 });
    expect(w.pool.stats().closed.failures).toBe(1);

    expect(w.pool.recordFailure(id, 'a')).toBe(0);
    const fresh = await w.pool.get(id, 'a');
    expect(fresh).not.toBe(a);
    expect(w.pool.recordFailure(id, 'a')).toBe(1);
    await w.pool.close();
    expect([a.closes, fresh.closes]).toEqual([1, 1]);
  });

  it('resets the count on success', async () => {
    const w = world({ maxFailures: 3 });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    expect(w.pool.recordFailure(id, 'a')).toBe(1);
    expect(w.pool.recordFailure(id, 'a')).toBe(2);
    expect(w.pool.recordSuccess(id, 'a')).toBe(true);
    expect(w.pool.recordFailure(id, 'a')).toBe(1);
    expect(w.pool.recordFailure(id, 'a')).toBe(2);
    expect(w.pool.has(id, 'a')).toBe(true);
    expect(w.pool.recordFailure(id, 'a')).toBe(3);
    expect(w.pool.has(id, 'a')).toBe(false);
    expect(w.pool.recordSuccess(id, 'a')).toBe(false);
  });

  it('use() records real failures and successes of the work it runs', async () => {
    const w = world({ maxFailures: 3 });
    const { id } = await w.manager.create();
    const boom = new Error('query failed');
    const fail = () =>
      w.pool.use(id, 'a', () => {
        throw boom;
      });
    await expect(fail()).rejects.toBe(boom);
    await expect(
      w.pool.use(id, 'a', async () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(w.pool.stats().failures).toBe(2);
    expect(w.pool.recordFailure(id, 'a')).toBe(3);
    expect(w.pool.has(id, 'a')).toBe(false);
    await flush();
    expect(w.made[0]!.closes).toBe(1);

    await expect(fail()).rejects.toBe(boom);
    expect(await w.pool.use(id, 'a', (r) => r.key)).toBe('a');
    await expect(fail()).rejects.toBe(boom);
    await expect(fail()).rejects.toBe(boom);
    expect(w.pool.has(id, 'a')).toBe(true);
    await expect(fail()).rejects.toBe(boom);
    expect(w.pool.has(id, 'a')).toBe(false);
    expect(w.pool.stats()).toMatchObject({ evicted: 2, failures: 7 });
  });

  it('does not charge a replacement for failures of the resource it replaced', async () => {
    const w = world({ maxFailures: 2 });
    const { id } = await w.manager.create();
    let release!: () => void;
    const slow = w.pool.use(id, 'a', async () => {
      await new Promise<void>((r) => (release = r));
      throw new Error('late failure');
    });
    await flush();
    await w.pool.delete(id, 'a');
    const fresh = await w.pool.get(id, 'a');
    release();
    await expect(slow).rejects.toThrow('late failure');
    expect(w.pool.recordFailure(id, 'a')).toBe(1);
    await expect(w.pool.get(id, 'a')).resolves.toBe(fresh);
  });

  it('never evicts with maxFailures Infinity', async () => {
    const w = world({ maxFailures: Infinity });
    const { id } = await w.manager.create();
    await w.pool.get(id, 'a');
    for (let i = 1; i <= 1_000; i++) w.pool.recordFailure(id, 'a');
    expect(w.pool.recordFailure(id, 'a')).toBe(1_001);
    expect(w.pool.has(id, 'a')).toBe(true);
  });

  it('answers 0 / false for resources it does not hold', async () => {
    const w = world();
    expect(w.pool.recordFailure('nobody', 'a')).toBe(0);
    expect(w.pool.recordSuccess('nobody', 'a')).toBe(false);
    expect(w.pool.stats().failures).toBe(0);
  });
});
