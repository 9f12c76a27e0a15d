import { afterEach, describe, expect, it } from 'vitest';
import { SWEEP_CONCURRENCY } from '../../src/core/bounded.js';
import { MemoryStore, SessionManager, type SessionStore } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

/** A memory store that says it is shared and counts the `get` calls in flight at once. */
class CountingSharedStore extends FaultyStore {
  inFlight = 0;
  maxInFlight = 0;
  gets = 0;

  override get shared(): boolean {
    return true;
  }

  override get: SessionStore['get'] = async (...a) => {
    this.gets++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await this.inner.get(...a);
    } finally {
      this.inFlight--;
    }
  };
}

const managers: SessionManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe('sweeps on a shared store', () => {
  it('verify many attached sessions with a bounded number of store calls in flight', async () => {
    const store = new CountingSharedStore(new MemoryStore());
    const clock = new ManualClock(1_000_000);
    const sessions = new SessionManager({ store, clock, idleTtlMs: 60_000, autoStart: false });
    managers.push(sessions);
    const count = SWEEP_CONCURRENCY * 5;
    for (let n = 0; n < count; n++) {
      const { id } = await sessions.create();
      sessions.onEnd(id, () => {});
    }
    clock.advance(30_000);
    await sessions.sweep();
    expect(store.gets).toBe(count);
    expect(store.maxInFlight).toBeGreaterThan(1);
    expect(store.maxInFlight).toBeLessThanOrEqual(SWEEP_CONCURRENCY);
  });
});
