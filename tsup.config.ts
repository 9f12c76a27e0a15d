import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  dts: true,
  sourcemap: true,
  clean: false,
  target: 'node20',
  splitting: true,
  treeshake: true,
  loader: { '.lua': 'text' },
  external: [
    'vitest',
    '@modelcontextprotocol/sdk',
    '@modelcontextprotocol/server',
    '@modelcontextprotocol/node',
    '@modelcontextprotocol/client',
    '@modelcontextprotocol/express',
    'express',
    'redis',
    'ioredis',
  ],
};

/** One entry per public subpath; keep in step with `exports` in package.json. */
export default defineConfig([
  {
    ...shared,
    entry: {
      index: 'src/index.ts',
      'stores/index': 'src/stores/index.ts',
      'resources/index': 'src/resources/index.ts',
      'redis/index': 'src/stores/redis/index.ts',
      'streamable-http/index': 'src/adapters/streamable-http/index.ts',
      'sse/index': 'src/adapters/sse/index.ts',
      'client/index': 'src/client/index.ts',
      'v2/index': 'src/adapters/v2/index.ts',
      'handles/index': 'src/handles/index.ts',
    },
    format: ['esm', 'cjs'],
  },
  {
    // vitest is ESM-only, so the test helpers are too.
    ...shared,
    entry: { 'testing/index': 'src/testing/index.ts' },
    format: ['esm'],
  },
]);
