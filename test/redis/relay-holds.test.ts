import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { RedisRelay } from '../../src/stores/redis/index.js';
import { deleteKeys, ioRedis, redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { connections, type Library, relayOn, spyLogger } from './relay-support.js';

const { side, scratchPrefix } = await redisClients();

const LONG_HOLD_MS = 60_000;

/** The commands Redis receives whose arguments mention `text` (MONITOR on its own connection). */
async function commandsMentioning(text: string) {
  const monitor: Redis = await side.monitor();
  onTestFinished(() => monitor.disconnect());
  const seen: string[][] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua' && args.some((arg) => arg.includes(text))) seen.push(args);
  });
  let marks = 0;
  /** The commands seen since the last call (a marker command makes sure none is in flight). */
  return async (): Promise<string[][]> => {
    const marker = `${text}marker-${marks++}`;
    await side.exists(marker);
    await waitFor(() => seen.some((args) => args.includes(marker)), 'MONITOR to see the marker');
    const at = seen.findIndex((args) => args.includes(marker));
    return seen.splice(0, at + 1).slice(0, at);
  };
}

describe.each<Library>(['node-redis', 'ioredis'])('RedisRelay stream holders (%s)', (library) => {
  it('records, answers and releases this replica as a stream holder', async () => {
    const prefix = scratchPrefix('holds');
    const relay = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    expect(await relay.streamHolder('s1')).toBeUndefined();
    await relay.holdStream('s1');
    expect(await relay.streamHolder('s1')).toBe(relay.replicaId);
    expect(await side.get(`${prefix}stream:s1`)).toBe(relay.replicaId);
    const ttl = await side.pttl(`${prefix}stream:s1`);
    expect(ttl).toBeGreaterThan(LONG_HOLD_MS - 10_000);
    expect(ttl).toBeLessThanOrEqual(LONG_HOLD_MS);
    await relay.releaseStream('s1');
    expect(await relay.streamHolder('s1')).toBeUndefined();
  });

  it('refuses a malformed session ID', async () => {
    const relay = await relayOn(library, scratchPrefix('holds-bad-id'));
    for (const id of ['', 'has space', 'x'.repeat(257)]) {
      await expect(relay.holdStream(id)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
      await expect(relay.releaseStream(id)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
      await expect(relay.streamHolder(id)).rejects.toMatchObject({ code: 'INVALID_SESSION_ID' });
    }
  });

  it('renews every held record in one round trip', async () => {
    const prefix = scratchPrefix('holds-renew');
    const relay = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    const ids = Array.from({ length: 50 }, (_, n) => `session-${n}`);
    for (const id of ids) await relay.holdStream(id);
    await relay.renewHeldStreams(); // loads the script
    for (const id of ids) await side.pexpire(`${prefix}stream:${id}`, 30_000);
    await side.del(`${prefix}stream:session-0`); // lapsed: written again

    const take = await commandsMentioning(prefix);
    await take();
    await relay.renewHeldStreams();
    const commands = await take();
    expect(commands).toHaveLength(1);
    expect(commands[0]![0]!.toUpperCase()).toBe('EVALSHA');
    for (const id of ids) {
      expect(await side.get(`${prefix}stream:${id}`)).toBe(relay.replicaId);
      expect(await side.pttl(`${prefix}stream:${id}`)).toBeGreaterThan(LONG_HOLD_MS - 10_000);
    }
  });

  it('renews on its own every third of holdTtlMs', async () => {
    const prefix = scratchPrefix('holds-timer');
    // The renewal interval runs on fake time; Redis and the waits below stay real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const relay = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    await relay.holdStream('s1');
    await side.pexpire(`${prefix}stream:s1`, 30_000);
    vi.advanceTimersByTime(LONG_HOLD_MS / 3 - 1);
    expect(await side.pttl(`${prefix}stream:s1`)).toBeLessThanOrEqual(30_000);
    vi.advanceTimersByTime(1);
    await waitFor(
      async () => (await side.pttl(`${prefix}stream:s1`)) > 30_000,
      'the renewal to set the TTL back to holdTtlMs',
    );
    expect(await relay.streamHolder('s1')).toBe(relay.replicaId);
  });

  it('lets a record lapse within holdTtlMs once its replica stops renewing', async () => {
    const prefix = scratchPrefix('holds-lapse');
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    onTestFinished(() => {
      vi.useRealTimers();
    });
    const { client, subscriber } = await connections(library);
    const logger = spyLogger();
    const relay = new RedisRelay({ client, subscriber, prefix, holdTtlMs: LONG_HOLD_MS, logger });
    onTestFinished(() => relay.close());
    await relay.holdStream('s1');
    // The replica loses Redis, as when it crashes: its renewals fail.
    if ('destroy' in client) client.destroy();
    else client.disconnect();
    vi.advanceTimersByTime(LONG_HOLD_MS / 3);
    await waitFor(() => logger.error.mock.calls.length > 0, 'the failed renewal to be logged');
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('renew'),
      expect.objectContaining({ streams: 1 }),
    );
    // Nothing renews the record any more: Redis drops it once the TTL it was given runs out.
    const ttl = await side.pttl(`${prefix}stream:s1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(LONG_HOLD_MS);
    await side.pexpire(`${prefix}stream:s1`, 1);
    await waitFor(
      async () => (await side.exists(`${prefix}stream:s1`)) === 0,
      'the record to lapse',
    );
    const reader = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    expect(await reader.streamHolder('s1')).toBeUndefined();
  });

  it('leaves another replica’s record alone: last holder wins', async () => {
    const prefix = scratchPrefix('holds-takeover');
    const a = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    const b = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    await a.holdStream('s1');
    await b.holdStream('s1');
    expect(await a.streamHolder('s1')).toBe(b.replicaId);

    await a.renewHeldStreams();
    expect(await side.get(`${prefix}stream:s1`)).toBe(b.replicaId);
    await a.releaseStream('s1');
    expect(await side.get(`${prefix}stream:s1`)).toBe(b.replicaId);

    // A takes it back; B's release no longer deletes it, A's close does.
    await a.holdStream('s1');
    expect(await b.streamHolder('s1')).toBe(a.replicaId);
    await b.releaseStream('s1');
    expect(await side.get(`${prefix}stream:s1`)).toBe(a.replicaId);
    await b.holdStream('s2');
    await a.close();
    expect(await side.exists(`${prefix}stream:s1`)).toBe(0);
    expect(await side.get(`${prefix}stream:s2`)).toBe(b.replicaId);
  });

  it('close() deletes the records it holds and stops renewing', async () => {
    const prefix = scratchPrefix('holds-close');
    const relay = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    await relay.holdStream('s1');
    await relay.holdStream('s2');
    await relay.close();
    expect(await side.exists(`${prefix}stream:s1`, `${prefix}stream:s2`)).toBe(0);
    const take = await commandsMentioning(prefix);
    await take();
    await relay.renewHeldStreams();
    expect(await take()).toEqual([]);
  });
});

describe('RedisRelay prefix', () => {
  it('adds {default}: to a prefix without a hash tag, as RedisStore does', async () => {
    const prefix = `mcps-test-untagged-${randomUUID()}:`;
    const client = await ioRedis();
    const subscriber = await ioRedis();
    const relay = new RedisRelay({ client, subscriber, prefix, logger: spyLogger() });
    onTestFinished(async () => {
      await relay.close();
      client.disconnect();
      subscriber.disconnect();
      await deleteKeys(side, prefix);
    });
    await relay.holdStream('s1');
    expect(await side.get(`${prefix}{default}:stream:s1`)).toBe(relay.replicaId);
  });
});
