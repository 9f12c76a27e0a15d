import { readFileSync } from 'node:fs';
import { configDefaults, defineConfig, type Plugin } from 'vitest/config';

/** Imports `.lua` files as strings, like the `text` loader in tsup.config.ts. */
const luaAsText: Plugin = {
  name: 'lua-as-text',
  load(id) {
    if (!id.endsWith('.lua')) return null;
    return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
  },
};

/** Everything that talks to Redis lives here; the `redis` project checks Redis is up first. */
const REDIS_TESTS = 'test/redis/**/*.test.ts';

/** Tests on a three-node Redis Cluster the `redis-cluster` project starts for them. */
const REDIS_CLUSTER_TESTS = 'test/redis-cluster/**/*.test.ts';

export default defineConfig({
  plugins: [luaAsText],
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, REDIS_TESTS, REDIS_CLUSTER_TESTS],
        },
      },
      {
        extends: true,
        test: {
          name: 'redis',
          include: [REDIS_TESTS],
          globalSetup: ['test/support/redis-preflight.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'redis-cluster',
          include: [REDIS_CLUSTER_TESTS],
          globalSetup: ['test/support/redis-preflight.ts', 'test/support/redis-cluster.ts'],
        },
      },
    ],
  },
});
