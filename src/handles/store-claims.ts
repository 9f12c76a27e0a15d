/**
 * One store per kind: a store sweeps with one policy (idle TTL, lifetime), so two kinds on one
 * store would expire each other's handles. Kinds claim their store here and let go on close.
 * Internal.
 *
 * @module
 */
import { SessionError } from '../core/errors.js';
import type { SessionStore } from '../core/store.js';

const CLAIMS = new WeakMap<SessionStore, string>();

/**
 * Records that kind `name` uses `store`.
 * @throws SessionError `INVALID_OPTION` when another open kind already uses it.
 */
export function claimStore(store: SessionStore, name: string): void {
  const holder = CLAIMS.get(store);
  if (holder !== undefined) {
    throw new SessionError(
      'INVALID_OPTION',
      `Invalid HandleKind option \`store\`: this store is already used by the handle kind ` +
        `'${holder}'; give each kind a store of its own (a new MemoryStore, or a RedisStore on ` +
        'a prefix of its own sharing the same client).',
    );
  }
  CLAIMS.set(store, name);
}

/** Lets go of `store` (a closed kind). */
export function releaseStore(store: SessionStore): void {
  CLAIMS.delete(store);
}
