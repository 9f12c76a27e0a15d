import { defineConfig } from 'tsup';

/** One entry per public subpath; keep in step with `exports` in package.json. */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  external: ['vitest', '@modelcontextprotocol/sdk', 'redis', 'ioredis'],
});
