import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StorePolicy } from '../../src/stores/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { type ClusterLibrary, clusterClients } from './cluster-support.js';

const { node, io, side, scratchPrefixPerMaster } = await clusterClients();

const T0 = 1_000_000;
const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 600_000,
  maxTombstones: 100,
  maxSessions: Infinity,
});

describe.each<ClusterLibrary>(['node-redis', 'ioredis'])(
  'RedisStore.eventLog on a cluster (%s)',
  (library) => {
    it('stores, vouches for and replays events, and goes with its session', async () => {
      for (const prefix of await scratchPrefixPerMaster(`events-${library}`)) {
        const store = new RedisStore({
          client: library === 'node-redis' ? node : io,
          prefix,
          time: 'local',
          evictionPolicy: 'ignore',
        });
        const id = randomUUID();
        await store.create({ id, createdAt: T0 }, POLICY);
        const log = store.eventLog(id, POLICY);
        const first = await log.storeEvent('a', { n: 1 });
        await log.storeEvent('b', { n: 'b1' });
        const second = await log.storeEvent('a', { n: 2 });
        await log.storeEvent('a', { n: 3 });
        expect(await log.getStreamIdForEventId?.(second)).toBe('a');
        const sent: unknown[] = [];
        const streamId = await log.replayEventsAfter(first, {
          send: async (_eventId, message) => {
            sent.push(message);
          },
        });
        expect(streamId).toBe('a');
        expect(sent).toEqual([{ n: 2 }, { n: 3 }]);
        expect(await side.xlen(`${prefix}events:${id}`)).toBe(4);

        await store.end(id, 'closed', T0 + 1, POLICY);
        expect(await side.exists(`${prefix}events:${id}`)).toBe(0);
        await expect(log.replayEventsAfter(first, { send: async () => {} })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
        });
        await store.close();
      }
    });
  },
);
