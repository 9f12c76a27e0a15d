import { RedisStore } from '../../src/stores/redis/index.js';
import { describeStoreConformance } from '../../src/testing/index.js';
import { clusterClients, clusterPrefix, deleteClusterKeys } from './cluster-support.js';

const { node, io, side } = await clusterClients();

describeStoreConformance('RedisStore on a Redis Cluster (node-redis createCluster)', () => {
  const prefix = clusterPrefix('conf-node');
  return {
    store: new RedisStore({ client: node, prefix }),
    cleanup: async () => {
      await deleteClusterKeys(side, prefix);
    },
  };
});

describeStoreConformance('RedisStore on a Redis Cluster (ioredis Cluster)', () => {
  const prefix = clusterPrefix('conf-io');
  return {
    store: new RedisStore({ client: io, prefix }),
    cleanup: async () => {
      await deleteClusterKeys(side, prefix);
    },
  };
});
