import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { systemClock } from '../core/clock.js';
import type { SessionStore } from '../core/store.js';
import { expiryCases } from './conformance-expiry.js';
import { BASE_POLICY, type ConformanceKit, conformanceCase } from './conformance-kit.js';
import { ownerCases } from './conformance-owners.js';
import { pinCases } from './conformance-pins.js';
import { sessionCases } from './conformance-sessions.js';
import { updateCases } from './conformance-updates.js';

export type { ConformanceCase } from './conformance-kit.js';

/** A store under test and how to dispose of it. */
export interface StoreUnderTest {
  store: SessionStore;
  /** Called after the suite once for each store the factory made, after its `close()` (delete keys, quit clients). */
  cleanup?: () => Promise<void> | void;
}

/** Options of {@link describeStoreConformance}. */
export interface StoreConformanceOptions {
  /**
   * The base of the fake timeline, in ms. Stores that also set backend TTLs from these times
   * may want a value near `Date.now()`. @default Date.now()
   */
  baseTime?: number;
}

/**
 * Registers a vitest suite that checks a {@link SessionStore} against the contract the manager
 * relies on: atomic create-if-absent, touch and expiry, tombstones, exactly-once claims (two
 * sweepers racing), lifetimes, capacity, pins and exactly-once eviction, counting and listing,
 * versioned data updates, and the owner index (per-owner quota, `listByOwner`).
 *
 * Call it at the top level of a test file. `factory` runs once per case and should hand out a
 * store over an isolated namespace (for example a fresh key prefix). Times are passed to the
 * store explicitly, so no case sleeps.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from 'mcp-sessions/testing';
 * describeStoreConformance('MyStore', async () => ({ store: new MyStore(client, { prefix: `t:${randomUUID()}:` }) }));
 * ```
 */
export function describeStoreConformance(
  name: string,
  factory: () => Promise<StoreUnderTest> | StoreUnderTest,
  options: StoreConformanceOptions = {},
): void {
  describe(`SessionStore conformance: ${name}`, () => {
    const made: StoreUnderTest[] = [];
    let t0 = 0;
    const fresh = async (): Promise<SessionStore> => {
      const sut = await factory();
      made.push(sut);
      return sut.store;
    };
    const newId = () => `conf-${randomUUID()}`;

    beforeAll(() => {
      t0 = options.baseTime ?? systemClock.now();
    });
    afterAll(async () => {
      for (const sut of made) {
        await sut.store.close();
        await sut.cleanup?.();
      }
    });

    const kit: ConformanceKit = {
      fresh,
      newId,
      get t0() {
        return t0;
      },
      case: conformanceCase,
    };

    sessionCases(kit);
    expiryCases(kit);
    updateCases(kit);
    pinCases(kit);
    ownerCases(kit);

    kit.case('capacity', async () => {
      const store = await fresh();
      const policy = { ...BASE_POLICY, maxSessions: 3 };
      const ids = Array.from({ length: 4 }, newId);
      const results = [];
      for (const id of ids) results.push(await store.create({ id, createdAt: t0 }, policy));
      expect(results).toEqual(['created', 'created', 'created', 'full']);
      await store.end(ids[0]!, 'closed', t0 + 1, policy);
      expect(await store.create({ id: ids[3]!, createdAt: t0 + 2 }, policy)).toBe('created');
    });

    kit.case('count and list', async () => {
      const store = await fresh();
      const ids = Array.from({ length: 25 }, newId);
      for (const id of ids) await store.create({ id, data: { id }, createdAt: t0 }, BASE_POLICY);
      await store.end(ids[0]!, 'closed', t0 + 1, BASE_POLICY);
      expect(await store.count(t0 + 1, BASE_POLICY)).toMatchObject({ sessions: 24, tombstones: 1 });
      const listed: string[] = [];
      for await (const record of store.list(BASE_POLICY)) {
        expect(record.data).toEqual({ id: record.id });
        listed.push(record.id);
      }
      expect(listed.sort()).toEqual(ids.slice(1).sort());
    });

    kit.case('special characters', async () => {
      const store = await fresh();
      const id = `!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~${randomUUID()}`;
      expect(await store.create({ id, owner: 'ü 🙂 "q"', createdAt: t0 }, BASE_POLICY)).toBe(
        'created',
      );
      const got = await store.touch(id, t0 + 1, BASE_POLICY);
      expect(got.status === 'active' && got.session.owner).toBe('ü 🙂 "q"');
      expect((await store.end(id, 'closed', t0 + 2, BASE_POLICY)).status).toBe('ended-now');
    });
  });
}
