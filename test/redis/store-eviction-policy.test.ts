import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { systemClock } from '../../src/index.js';
import type { StorePolicy } from '../../src/stores/index.js';
import { RedisStore, type RedisStoreOptions } from '../../src/stores/redis/index.js';
import { keysUnder, nodeRedis, REDIS_URL, redisClients } from '../support/redis.js';
import { within } from '../support/wait.js';

const { node, io, side, scratchPrefix } = await redisClients();

const T0 = systemClock.now();
const POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 60_000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 600_000,
  maxTombstones: 100,
  maxSessions: Infinity,
});

/**
 * Sets Redis's `maxmemory-policy` for the current test and puts the original back when it
 * finishes. With `maxmemory` 0 (no limit, as on the test Redis) no policy evicts anything, so
 * other test files running meanwhile lose nothing.
 */
async function useMaxmemoryPolicy(policy: string): Promise<void> {
  const [, original] = (await side.config('GET', 'maxmemory-policy')) as [string, string];
  onTestFinished(async () => {
    await side.config('SET', 'maxmemory-policy', original);
  });
  await side.config('SET', 'maxmemory-policy', policy);
}

/** A logger that keeps warnings, and a promise of the first one. */
function warningLog() {
  const warnings: { message: string; details: Record<string, unknown> | undefined }[] = [];
  let first!: () => void;
  const warned = new Promise<void>((resolve) => {
    first = resolve;
  });
  const logger = {
    warn(message: string, details?: Record<string, unknown>) {
      warnings.push({ message, details });
      first();
    },
  };
  return { warnings, logger, warned: within(warned, 'a warning from the store') };
}

function storeOn(
  client: RedisStoreOptions['client'],
  options: Omit<RedisStoreOptions, 'client' | 'prefix'> = {},
): { store: RedisStore; prefix: string } {
  const prefix = scratchPrefix('eviction');
  return { store: new RedisStore({ client, prefix, ...options }), prefix };
}

describe('RedisStore: the eviction policy check', () => {
  for (const [label, client] of [
    ['node-redis', node],
    ['ioredis', io],
  ] as const) {
    it(`warns once, on first use, when maxmemory-policy is allkeys-lru (${label})`, async () => {
      await useMaxmemoryPolicy('allkeys-lru');
      const { warnings, logger, warned } = warningLog();
      const { store } = storeOn(client, { logger });
      // The default is to warn and go on: the first operation is served.
      expect(await store.create({ id: 'a', createdAt: T0 }, POLICY)).toBe('created');
      await warned;
      expect((await store.touch('a', T0 + 1, POLICY)).status).toBe('active');
      expect(await store.count(T0 + 1, POLICY)).toEqual({ sessions: 1, tombstones: 0 });
      expect(await store.checkEvictionPolicy()).toBe('allkeys-lru');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toMatch(/maxmemory-policy is 'allkeys-lru'.*noeviction/s);
      expect(warnings[0]!.details).toEqual({ maxmemoryPolicy: 'allkeys-lru' });
    });
  }

  it('warns for a volatile-* policy too: every key of the store has a TTL', async () => {
    await useMaxmemoryPolicy('volatile-ttl');
    const { warnings, logger, warned } = warningLog();
    const { store } = storeOn(node, { logger });
    expect((await store.get('a', T0, POLICY)).status).toBe('unknown');
    await warned;
    expect(warnings.map((w) => w.details)).toEqual([{ maxmemoryPolicy: 'volatile-ttl' }]);
  });

  it('says nothing under noeviction, in either mode', async () => {
    await useMaxmemoryPolicy('noeviction');
    for (const evictionPolicy of ['warn', 'refuse'] as const) {
      const { warnings, logger } = warningLog();
      const { store } = storeOn(node, { logger, evictionPolicy });
      expect(await store.create({ id: 'a', createdAt: T0 }, POLICY)).toBe('created');
      expect((await store.touch('a', T0 + 1, POLICY)).status).toBe('active');
      // Joins the first-use check when it is still under way, so it is over after this.
      expect(await store.checkEvictionPolicy()).toBe('noeviction');
      expect(warnings).toEqual([]);
    }
  });

  it("refuses every operation under an evicting policy with evictionPolicy 'refuse', and serves once Redis is fixed", async () => {
    await useMaxmemoryPolicy('allkeys-lru');
    const { warnings, logger } = warningLog();
    const { store, prefix } = storeOn(io, { logger, evictionPolicy: 'refuse' });
    const refused = expect.objectContaining({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/maxmemory-policy is 'allkeys-lru'.*refuses/s),
    });
    await expect(store.create({ id: 'a', createdAt: T0 }, POLICY)).rejects.toThrow(refused);
    await expect(store.touch('a', T0, POLICY)).rejects.toThrow(refused);
    await expect(store.get('a', T0, POLICY)).rejects.toThrow(refused);
    await expect(store.end('a', 'deleted', T0, POLICY)).rejects.toThrow(refused);
    await expect(store.claimExpired(T0, 10, POLICY)).rejects.toThrow(refused);
    await expect(store.evictOldest(T0, POLICY)).rejects.toThrow(refused);
    await expect(store.count(T0, POLICY)).rejects.toThrow(refused);
    await expect(store.checkEvictionPolicy()).rejects.toThrow(refused);
    expect(await keysUnder(side, prefix)).toEqual([]);

    await side.config('SET', 'maxmemory-policy', 'noeviction');
    expect(await store.create({ id: 'a', createdAt: T0 }, POLICY)).toBe('created');
    expect(warnings).toEqual([]);
  });

  it('validates the option, naming the field and the accepted values', () => {
    for (const evictionPolicy of ['off', true, 1]) {
      expect(() => new RedisStore({ client: node, evictionPolicy } as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(/`evictionPolicy`.*'warn', 'refuse', 'ignore'/),
        }),
      );
    }
    expect(() => new RedisStore({ client: node, logger: 'console' } as never)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('`logger`'),
      }),
    );
  });

  it("never reads the policy with evictionPolicy 'ignore'", async () => {
    await useMaxmemoryPolicy('allkeys-lru');
    const { warnings, logger } = warningLog();
    const { store } = storeOn(node, { logger, evictionPolicy: 'ignore' });
    expect(await store.create({ id: 'a', createdAt: T0 }, POLICY)).toBe('created');
    expect(await store.checkEvictionPolicy()).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('keeps working when Redis forbids CONFIG, saying once that the policy is unknown', async () => {
    // A user without the CONFIG command, as managed services set theirs up.
    const user = `mcps-test-${randomUUID()}`;
    const password = randomUUID();
    await side.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '&*', '+@all', '-config');
    onTestFinished(async () => {
      await side.call('ACL', 'DELUSER', user);
    });
    const url = new URL(REDIS_URL);
    url.username = user;
    url.password = password;
    const limited = await nodeRedis(url.toString());
    onTestFinished(async () => {
      await limited.quit();
    });
    await useMaxmemoryPolicy('allkeys-lru');
    const { warnings, logger, warned } = warningLog();
    const { store } = storeOn(limited, { logger, evictionPolicy: 'refuse' });
    expect(await store.create({ id: 'a', createdAt: T0 }, POLICY)).toBe('created');
    await warned;
    expect((await store.touch('a', T0 + 1, POLICY)).status).toBe('active');
    expect(await store.checkEvictionPolicy()).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/Could not read Redis maxmemory-policy/);
    expect(warnings[0]!.details).toEqual({ error: expect.stringMatching(/NOPERM|config/i) });
  });
});
