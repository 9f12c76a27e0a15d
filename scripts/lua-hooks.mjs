// Module loader hook: a `.lua` file becomes a module whose default export is its text.
import { readFile } from 'node:fs/promises';

export async function load(url, context, next) {
  if (!url.endsWith('.lua')) return next(url, context);
  const text = await readFile(new URL(url), 'utf8');
  return {
    format: 'module',
    source: `export default ${JSON.stringify(text)};`,
    shortCircuit: true,
  };
}
