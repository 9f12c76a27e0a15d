import { afterAll } from 'vitest';
import { RedisStore } from '../../src/stores/redis/index.js';
import { describeStoreConformance } from '../../src/testing/index.js';
import { deleteKeys, ioRedis, nodeRedis, testPrefix } from '../support/redis.js';

const node = await nodeRedis();
const io = await ioRedis();
const janitor = await ioRedis();

afterAll(async () => {
  await node.quit();
  io.disconnect();
  janitor.disconnect();
});

describeStoreConformance('RedisStore (node-redis)', () => {
  const prefix = testPrefix('conf-node');
  return {
    store: new RedisStore({ client: node, prefix }),
    cleanup: async () => {
      await deleteKeys(janitor, prefix);
    },
  };
});

describeStoreConformance('RedisStore (ioredis)', () => {
  const prefix = testPrefix('conf-io');
  return {
    store: new RedisStore({ client: io, prefix }),
    cleanup: async () => {
      await deleteKeys(janitor, prefix);
    },
  };
});
