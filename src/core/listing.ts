/**
 * Reading many sessions at once: every live session, their count, and one owner's sessions
 * through the store's owner index. Internal: the manager's `list`, `count` and `listByOwner`
 * run through here.
 *
 * @module
 */
import { checkLabel } from './arguments.js';
import type { Clock } from './clock.js';
import { callStore, SessionError, type StoreFailureCount, toStoreError } from './errors.js';
import { copySessionRecord } from './record.js';
import type { ListByOwnerOptions, SessionStore, StorePolicy } from './store.js';
import type { SessionRecord } from './types.js';
import { describeValue } from './validate.js';

/** Every live session, as detached copies (for a shared store this walks the whole store). */
export async function listSessions(
  store: SessionStore,
  policy: StorePolicy,
  counters?: StoreFailureCount,
): Promise<SessionRecord[]> {
  const records: SessionRecord[] = [];
  try {
    for await (const record of store.list(policy)) records.push(copySessionRecord(record));
  } catch (error) {
    const failure = toStoreError(error, 'list');
    counters?.storeFailed(failure);
    throw failure;
  }
  return records;
}

/** How many live sessions the store holds. */
export async function countSessions(
  store: SessionStore,
  policy: StorePolicy,
  clock: Clock,
  counters?: StoreFailureCount,
): Promise<number> {
  const counts = await callStore('count', () => store.count(clock.now(), policy), counters);
  return counts.sessions;
}

/**
 * `owner`'s live sessions (of one `options.kind`, the oldest `options.limit`), oldest first, as
 * detached copies: one store call that reads only that owner's sessions. A session past its
 * deadline is listed (and counts to the quota) until a sweep ends it.
 *
 * @param closed whether the manager is closed (the call then rejects with `CLOSED`).
 * @throws SessionError `CLOSED`; `INVALID_ARGUMENT` when `owner` or `options.kind` is not a
 *   string of 1 to 1024 characters, or `options.limit` is not an integer >= 1 (or `Infinity`);
 *   `STORE_UNAVAILABLE`.
 */
export async function listOwnedSessions(
  store: SessionStore,
  policy: StorePolicy,
  owner: string,
  options: ListByOwnerOptions = {},
  closed = false,
  counters?: StoreFailureCount,
): Promise<SessionRecord[]> {
  if (closed) throw new SessionError('CLOSED', 'The session manager is closed.');
  if (owner === undefined) {
    throw new SessionError('INVALID_ARGUMENT', 'Invalid `owner`: it is required.');
  }
  checkLabel('owner', owner);
  checkLabel('kind', options.kind);
  const { limit } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 1) && limit !== Infinity) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`limit\`: expected an integer >= 1, or Infinity, got ${describeValue(limit)}.`,
    );
  }
  const records = await callStore(
    'listByOwner',
    () => store.listByOwner(owner, policy, { kind: options.kind, limit }),
    counters,
  );
  return records.map(copySessionRecord);
}
