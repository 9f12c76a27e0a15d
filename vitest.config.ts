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
          exclude: [...configDefaults.exclude, REDIS_TESTS],
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
    ],
  },
});
