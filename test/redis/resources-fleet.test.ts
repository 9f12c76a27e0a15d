import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SessionManager } from '../../src/index.js';
import { SessionResources } from '../../src/resources/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { deleteKeys, ioRedis, testPrefix } from '../support/redis.js';
import { FakeResource } from '../support/resources.js';

const prefix = testPrefix('resources');

/** Two replicas sharing one real Redis: resources follow sessions ended on the other one. */
describe('SessionResources across replicas (Redis)', () => {
  let client: Redis;
  const managers: SessionManager[] = [];

  beforeAll(async () => {
    client = await ioRedis();
  });

  afterEach(async () => {
    for (const manager of managers.splice(0)) await manager.close();
  });

  afterAll(async () => {
    await deleteKeys(client, prefix);
    client.disconnect();
  });

  function replica(clock: ManualClock) {
    const manager = new SessionManager({
      store: new RedisStore({ client, prefix }),
      clock,
      idleTtlMs: 60_000,
      autoStart: false,
    });
    managers.push(manager);
    return manager;
  }

  it("closes a replica's resources at its next sweep after another replica ended the session", async () => {
    const clock = new ManualClock();
    const a = replica(clock);
    const b = replica(clock);
    const pool = new SessionResources<FakeResource>(a, {
      create: ({ sessionId, key }) => new FakeResource(sessionId, key),
      autoStart: false,
    });
    const { id } = await b.create({ owner: 'u' });
    const resource = await pool.get(id, 'backend', { owner: 'u' });

    expect(await b.end(id, 'deleted')).toBe(true);
    expect(resource.closes).toBe(0);
    await a.sweep();

    expect(resource.closes).toBe(1);
    expect(pool.has(id, 'backend')).toBe(false);
    await expect(pool.get(id, 'backend', { owner: 'u' })).rejects.toMatchObject({
      code: 'SESSION_ENDED',
      reason: 'deleted',
    });
    await pool.close();
    expect(resource.closes).toBe(1);
  });

  it('closes resources on manager close while the shared session stays for other replicas', async () => {
    const clock = new ManualClock();
    const a = replica(clock);
    const b = replica(clock);
    const pool = new SessionResources<FakeResource>(a, {
      create: ({ sessionId, key }) => new FakeResource(sessionId, key),
      autoStart: false,
    });
    const { id } = await a.create();
    const resource = await pool.get(id, 'backend');
    await a.close();
    expect(resource.closes).toBe(1);
    expect((await b.resolve(id)).status).toBe('active');
    await pool.close();
  });
});
