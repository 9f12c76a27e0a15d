// Lets source runs under tsx (npm start, npm run bench) import `.lua` files as text, the way
// the tsup build and vitest do: `node --import tsx --import ./scripts/lua-loader.mjs file.ts`.
import { register } from 'node:module';

register('./lua-hooks.mjs', import.meta.url);
