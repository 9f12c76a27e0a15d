import { afterEach, describe, expect, it } from 'vitest';
import {
  type Clock,
  MemoryStore,
  SessionManager,
  type SessionStore,
  systemClock,
} from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

const managers: SessionManager[] = [];

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

/** A memory store that keeps a clock of its own, counting its readings. */
class ClockedStore extends MemoryStore {
  readings = 0;
  readonly #time = new ManualClock(5_000_000);
  readonly clock: Clock = {
    now: () => {
      this.readings++;
      return this.#time.now();
    },
  };
}

function manager(store: SessionStore, clock?: Clock) {
  const m = new SessionManager({ store, autoStart: false, ...(clock ? { clock } : {}) });
  managers.push(m);
  return m;
}

describe('the clock a manager uses', () => {
  it("is its store's when it has no clock option, read once at construction to start it", async () => {
    const store = new ClockedStore();
    const sessions = manager(store);
    expect(sessions.clock).toBe(store.clock);
    expect(store.readings).toBe(1);
    const created = await sessions.create();
    expect(created.createdAt).toBe(5_000_000);
  });

  it('is its own clock option when given, whatever the store has', async () => {
    const store = new ClockedStore();
    const own = new ManualClock(42_000);
    const sessions = manager(store, own);
    expect(sessions.clock).toBe(own);
    expect((await sessions.create()).createdAt).toBe(42_000);
    expect(store.readings).toBe(0);
  });

  it('is the system clock over a store without one', () => {
    expect(manager(new MemoryStore()).clock).toBe(systemClock);
    const withDefaultStore = new SessionManager({ autoStart: false });
    managers.push(withDefaultStore);
    expect(withDefaultStore.clock).toBe(systemClock);
  });
});
