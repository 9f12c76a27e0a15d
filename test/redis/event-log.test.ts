import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import type { StorePolicy } from '../../src/stores/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ioRedis, redisClients } from '../support/redis.js';

const { node, io, side, scratchPrefix } = await redisClients();

const T0 = systemClock.now();
const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 600_000,
  maxTombstones: 100,
  maxSessions: Infinity,
});

type Client = typeof node | typeof io;

function replayAll(
  log: ReturnType<RedisStore['eventLog']>,
  lastEventId: string,
): Promise<{ streamId: string; sent: [string, unknown][] }> {
  const sent: [string, unknown][] = [];
  return log
    .replayEventsAfter(lastEventId, {
      send: async (eventId, message) => {
        sent.push([eventId, message]);
      },
    })
    .then((streamId) => ({ streamId, sent }));
}

describe.each<[string, Client]>([
  ['node-redis', node],
  ['ioredis', io],
])('RedisStore.eventLog (%s)', (_, client) => {
  function storeOn(extra: { maxEvents?: number } = {}): RedisStore {
    return new RedisStore({ client, prefix: scratchPrefix('events'), ...extra });
  }

  it('replays the later events of the same stream, in order, skipping other streams', async () => {
    const log = storeOn().eventLog('s1', POLICY);
    const first = await log.storeEvent('a', { n: 1 });
    await log.storeEvent('b', { n: 'b1' });
    const second = await log.storeEvent('a', { n: 2 });
    await log.storeEvent('b', { n: 'b2' });
    const third = await log.storeEvent('a', { n: 3 });
    expect(new Set([first, second, third]).size).toBe(3);

    expect(await replayAll(log, first)).toEqual({
      streamId: 'a',
      sent: [
        [second, { n: 2 }],
        [third, { n: 3 }],
      ],
    });
    expect(await replayAll(log, third)).toEqual({ streamId: 'a', sent: [] });
  });

  it('answers the stream of a stored event, undefined for unknown, malformed or foreign IDs', async () => {
    const store = storeOn();
    const log = store.eventLog('s1', POLICY);
    const other = store.eventLog('s2', POLICY);
    const id = await log.storeEvent('stream-1', { hello: true });
    const foreign = await other.storeEvent('stream-2', { hello: true });

    expect(await log.getStreamIdForEventId!(id)).toBe('stream-1');
    const [entry, tagged] = [id.slice(0, id.indexOf('.')), id.slice(0, id.indexOf('_') + 1)];
    const malformed = ['', 'x', entry, tagged, `abc${id.slice(entry.length)}`, `${entry}_stream-1`];
    for (const bad of [...malformed, `99-0${id.slice(entry.length)}`, foreign]) {
      expect(await log.getStreamIdForEventId!(bad)).toBeUndefined();
    }
    // Same entry, claimed for another stream.
    expect(await log.getStreamIdForEventId!(`${tagged}other`)).toBeUndefined();
  });

  it('rejects a replay after an unknown event with a typed error and sends nothing', async () => {
    const store = storeOn();
    const log = store.eventLog('s1', POLICY);
    const own = await log.storeEvent('a', { n: 1 });
    await log.storeEvent('a', { n: 2 });
    // Another session's event, stored in the same millisecond, has the same entry ID.
    const foreign = await store.eventLog('s2', POLICY).storeEvent('a', { n: 1 });
    const sameEntry = `${own.slice(0, own.indexOf('.'))}${foreign.slice(foreign.indexOf('.'))}`;
    for (const bad of ['nonsense', '1-0_a', foreign, sameEntry]) {
      const sent: unknown[] = [];
      await expect(
        log.replayEventsAfter(bad, { send: async (eventId) => void sent.push(eventId) }),
      ).rejects.toMatchObject({ name: 'SessionError', code: 'INVALID_ARGUMENT' });
      expect(sent).toEqual([]);
    }
  });

  it('does not replay priming events (empty messages)', async () => {
    const log = storeOn().eventLog('s1', POLICY);
    const priming = await log.storeEvent('a', {});
    const message = await log.storeEvent('a', { jsonrpc: '2.0', method: 'x' });
    await log.storeEvent('a', {});
    expect(await log.getStreamIdForEventId!(priming)).toBe('a');
    expect((await replayAll(log, priming)).sent).toEqual([
      [message, { jsonrpc: '2.0', method: 'x' }],
    ]);
  });

  it('replays a history longer than one page, in order', async () => {
    const log = storeOn().eventLog('s1', POLICY);
    const start = await log.storeEvent('a', { n: -1 });
    const ids: string[] = [];
    for (let n = 0; n < 250; n++) {
      ids.push(await log.storeEvent(n % 5 === 0 ? 'other' : 'a', { n }));
    }
    const { sent } = await replayAll(log, start);
    const expected = ids
      .map((id, n) => [id, { n }] as [string, unknown])
      .filter((_, n) => n % 5 !== 0);
    expect(sent).toEqual(expected);
  });

  it('keeps at most maxEvents events, dropping the oldest', async () => {
    const store = storeOn({ maxEvents: 5 });
    const log = store.eventLog('s1', POLICY);
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) ids.push(await log.storeEvent('a', { n }));
    expect(await side.xlen(`${store.prefix}events:s1`)).toBe(5);
    expect(await log.getStreamIdForEventId!(ids[6]!)).toBeUndefined();
    expect(await log.getStreamIdForEventId!(ids[7]!)).toBe('a');
    expect((await replayAll(log, ids[7]!)).sent.map(([, m]) => m)).toEqual(
      [8, 9, 10, 11].map((n) => ({ n })),
    );
  });

  it('replays after an event it vouched for even when it was trimmed in between', async () => {
    const log = storeOn({ maxEvents: 2 }).eventLog('s1', POLICY);
    const start = await log.storeEvent('a', { n: 0 });
    expect(await log.getStreamIdForEventId!(start)).toBe('a');
    await log.storeEvent('a', { n: 1 });
    await log.storeEvent('a', { n: 2 });
    expect((await replayAll(log, start)).sent.map(([, m]) => m)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('gives the log a TTL that follows the policy', async () => {
    const store = storeOn();
    const key = (id: string) => `${store.prefix}events:${id}`;
    await store.eventLog('idle', { ...POLICY, idleTtlMs: 30 * 60_000 }).storeEvent('a', {});
    await store.eventLog('floor', { ...POLICY, idleTtlMs: 1000 }).storeEvent('a', {});
    await store
      .eventLog('capped', { ...POLICY, idleTtlMs: 1000, maxLifetimeMs: 120_000 })
      .storeEvent('a', {});
    await store
      .eventLog('life', { ...POLICY, idleTtlMs: 0, maxLifetimeMs: 90_000 })
      .storeEvent('a', {});
    await store.eventLog('never', { ...POLICY, idleTtlMs: 0 }).storeEvent('a', {});

    const near = (ttl: number, expected: number) => {
      expect(ttl).toBeGreaterThan(expected - 10_000);
      expect(ttl).toBeLessThanOrEqual(expected);
    };
    near(await side.pttl(key('idle')), 30 * 60_000);
    near(await side.pttl(key('floor')), 10 * 60_000);
    near(await side.pttl(key('capped')), 120_000);
    near(await side.pttl(key('life')), 90_000);
    expect(await side.pttl(key('never'))).toBe(-1);
  });

  it('deletes the log when the session ends', async () => {
    const store = storeOn();
    await store.create({ id: 'ends', createdAt: T0 }, POLICY);
    await store.create({ id: 'stays', createdAt: T0 }, POLICY);
    await store.eventLog('ends', POLICY).storeEvent('a', { n: 1 });
    await store.eventLog('stays', POLICY).storeEvent('a', { n: 1 });
    await store.end('ends', 'deleted', T0 + 1, POLICY);
    expect(await side.exists(`${store.prefix}events:ends`)).toBe(0);
    expect(await side.exists(`${store.prefix}events:stays`)).toBe(1);
  });

  it('deletes the log when a sweep claims the expired session', async () => {
    const store = storeOn();
    await store.create({ id: 'old', createdAt: T0 }, POLICY);
    await store.create({ id: 'young', createdAt: T0 + 50_000 }, POLICY);
    await store.eventLog('old', POLICY).storeEvent('a', { n: 1 });
    await store.eventLog('young', POLICY).storeEvent('a', { n: 1 });
    const claimed = await store.claimExpired(T0 + 60_000, 10, POLICY);
    expect(claimed.map((c) => c.session.id)).toEqual(['old']);
    expect(await side.exists(`${store.prefix}events:old`)).toBe(0);
    expect(await side.exists(`${store.prefix}events:young`)).toBe(1);
  });

  it('is shared by every replica on the prefix', async () => {
    const prefix = scratchPrefix('events-fleet');
    const one = new RedisStore({ client: node, prefix }).eventLog('s1', POLICY);
    const two = new RedisStore({ client: io, prefix }).eventLog('s1', POLICY);
    const start = await one.storeEvent('a', { n: 0 });
    const later = await one.storeEvent('a', { n: 1 });
    expect(await two.getStreamIdForEventId!(start)).toBe('a');
    expect(await replayAll(two, start)).toEqual({ streamId: 'a', sent: [[later, { n: 1 }]] });
  });

  it('refuses a malformed session ID and a bad maxEvents', () => {
    const store = storeOn();
    expect(() => store.eventLog('', POLICY)).toThrow(
      expect.objectContaining({ code: 'INVALID_SESSION_ID' }),
    );
    for (const maxEvents of [0, -1, 1.5, 1_000_001, Number.NaN, '10']) {
      expect(() => new RedisStore({ client, maxEvents } as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(/`maxEvents`.*1 to 1000000/),
        }),
      );
    }
  });
});

describe('RedisStore.eventLog when Redis fails', () => {
  it('rejects with STORE_UNAVAILABLE', async () => {
    const client = await ioRedis();
    const store = new RedisStore({ client, prefix: scratchPrefix('events-down') });
    const log = store.eventLog('s1', POLICY);
    const stored = await log.storeEvent('a', { n: 0 });
    client.disconnect();
    await expect(log.storeEvent('a', { n: 1 })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(log.getStreamIdForEventId!(stored)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(log.replayEventsAfter(stored, { send: async () => {} })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });
});
