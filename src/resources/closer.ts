/**
 * How the pool closes a resource it was not told how to close. Internal.
 *
 * @module
 */

import type { ResourceCloseReason } from './types.js';

/** Closes one resource, told why; may return a promise. */
export type Closer = (reason: ResourceCloseReason) => unknown;

const asyncDispose: symbol | undefined = (Symbol as { asyncDispose?: symbol }).asyncDispose;
const dispose: symbol | undefined = (Symbol as { dispose?: symbol }).dispose;

/**
 * Finds how to close `resource`: `Symbol.asyncDispose`, `close()`, `dispose()`, `Symbol.dispose`,
 * first found, bound to the resource. Answers `undefined` when it has none.
 */
export function findCloser(resource: unknown): Closer | undefined {
  if ((typeof resource !== 'object' && typeof resource !== 'function') || resource === null) {
    return undefined;
  }
  const target = resource as Record<PropertyKey, unknown>;
  for (const name of [asyncDispose, 'close', 'dispose', dispose]) {
    if (name === undefined) continue;
    const method = target[name];
    if (typeof method === 'function') return () => method.call(resource);
  }
  return undefined;
}
