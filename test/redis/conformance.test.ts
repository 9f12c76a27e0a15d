import { RedisStore } from '../../src/stores/redis/index.js';
import { describeStoreConformance } from '../../src/testing/index.js';
import { deleteKeys, redisClients, testPrefix } from '../support/redis.js';

const { node, io, side } = await redisClients();

describeStoreConformance('RedisStore (node-redis)', () => {
  const prefix = testPrefix('conf-node');
  return {
    store: new RedisStore({ client: node, prefix }),
    cleanup: async () => {
      await deleteKeys(side, prefix);
    },
  };
});

describeStoreConformance('RedisStore (ioredis)', () => {
  const prefix = testPrefix('conf-io');
  return {
    store: new RedisStore({ client: io, prefix }),
    cleanup: async () => {
      await deleteKeys(side, prefix);
    },
  };
});
