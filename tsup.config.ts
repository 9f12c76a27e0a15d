import { defineConfig } from 'tsup';

/** One entry per public subpath; keep in step with `exports` in package.json. */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'redis/index': 'src/stores/redis/index.ts',
    'streamable-http/index': 'src/adapters/streamable-http/index.ts',
    'sse/index': 'src/adapters/sse/index.ts',
    'client/index': 'src/client/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  loader: { '.lua': 'text' },
  external: ['vitest', '@modelcontextprotocol/sdk', 'redis', 'ioredis'],
});
