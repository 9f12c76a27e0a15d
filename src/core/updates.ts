/**
 * Updates of a session's application data from any replica: read the record, apply the
 * caller's updater, write the result only if the version read is still current, and go again
 * with the record a conflict answers. Internal: the manager's `update` runs through
 * {@link Updates}.
 *
 * @module
 */
import { z } from 'zod';
import { checkJson } from './arguments.js';
import type { Endings } from './endings.js';
import { callStore, SessionError } from './errors.js';
import { maskSessionId } from './logger.js';
import type { ManagerParts } from './manager-context.js';
import { field, schemaOf } from './option-fields.js';
import { copySessionRecord } from './record.js';
import { assertValidSessionId } from './session-id.js';
import type { OwnerCheck, StoreLookup } from './store.js';
import type { JsonValue, SessionRecord, Tombstone } from './types.js';
import { parseOptions } from './validate.js';

/** How many attempts an update makes unless told otherwise. */
export const DEFAULT_UPDATE_ATTEMPTS = 8;
/** The most attempts an update may be told to make. */
const MAX_UPDATE_ATTEMPTS = 100;
/** The longest `owner` accepted (as for `create`). */
const MAX_OWNER_CHARS = 1024;

const UPDATE_OPTIONS = schemaOf({
  owner: field(
    z.string().min(1).max(MAX_OWNER_CHARS).nullable().optional(),
    `a string of 1 to ${MAX_OWNER_CHARS} characters, or null`,
  ),
  maxAttempts: field(
    z.number().int().min(1).max(MAX_UPDATE_ATTEMPTS).optional(),
    `an integer from 1 to ${MAX_UPDATE_ATTEMPTS}`,
  ),
  from: field(
    z
      .object({
        id: z.string(),
        version: z.number().int().min(1),
        createdAt: z.number(),
        lastSeenAt: z.number(),
      })
      .passthrough()
      .optional(),
    'a record of this session (with id, version, createdAt and lastSeenAt) read earlier',
  ),
});

/**
 * Computes a session's new `data` from its current `data` and record (a detached snapshot).
 * It may run more than once for one update (again after every version conflict), so it must
 * be free of side effects and must not change its arguments: answer a new value instead. Its
 * result must be JSON of at most 64 KiB as text (`null` clears the data). What it throws or
 * rejects with reaches the caller of `update` as it is, and nothing is written.
 */
export type SessionUpdater = (
  data: JsonValue | undefined,
  session: SessionRecord,
) => JsonValue | Promise<JsonValue>;

/** Per-call options of `SessionManager.update`; validated on each call. */
export interface UpdateOptions {
  /**
   * The caller's principal, as for lookups: another owner's session is not found.
   * `null` or absent: a caller without an owner (it sees only sessions without one).
   */
  owner?: string | null | undefined;
  /**
   * How many times to read, run the updater and write before giving up with
   * `UPDATE_CONFLICT` while other writers keep changing the data (1 to 100).
   * @default 8
   */
  maxAttempts?: number | undefined;
  /**
   * A record of this session read earlier (from `acquire`, `resolve`, `touch` or a previous
   * `update`): the first attempt runs the updater on it instead of reading the store, so an
   * update costs one store call when nobody changed the data since (on Redis, one round trip
   * instead of two). A stale record costs nothing but that call: the store refuses the write
   * and answers the current record, and the updater runs again on it. Its `id` must be the
   * session's. @default none: the record is read first
   */
  from?: SessionRecord | undefined;
}

/** Runs the manager's data updates over its store and its endings. */
export class Updates {
  readonly #parts: ManagerParts;
  readonly #endings: Endings;
  readonly #assertOpen: () => void;

  /** @param assertOpen throws `SessionError('CLOSED')` once the manager is closed. */
  constructor(parts: ManagerParts, endings: Endings, assertOpen: () => void) {
    this.#parts = parts;
    this.#endings = endings;
    this.#assertOpen = assertOpen;
  }

  /**
   * Applies `updater` to the session's data and answers the record it wrote (see
   * `SessionManager.update`). A version conflict reads nothing more: the store answers the
   * current record with it, and the updater runs again on that.
   */
  async update(
    id: string,
    updater: SessionUpdater,
    options: UpdateOptions | undefined,
  ): Promise<SessionRecord> {
    this.#assertOpen();
    assertValidSessionId(id);
    if (typeof updater !== 'function') {
      throw new SessionError(
        'INVALID_ARGUMENT',
        `Invalid \`updater\`: expected a function of (data, session), got ${typeof updater}.`,
      );
    }
    const parsed =
      options === undefined
        ? {}
        : parseOptions(UPDATE_OPTIONS.schema, UPDATE_OPTIONS.accepted, options, 'update');
    const owner: OwnerCheck = parsed.owner ?? null;
    const maxAttempts = parsed.maxAttempts ?? DEFAULT_UPDATE_ATTEMPTS;
    const { store, policy, clock, counters } = this.#parts;
    let current: SessionRecord;
    if (parsed.from !== undefined) {
      if (parsed.from.id !== id) {
        throw new SessionError(
          'INVALID_ARGUMENT',
          `Invalid \`from\`: a record of session ${maskSessionId(parsed.from.id)}, not of ${maskSessionId(id)}.`,
        );
      }
      current = parsed.from as SessionRecord;
    } else {
      const get = () => store.get(id, clock.now(), policy, owner);
      const read = await callStore('update', get, counters);
      current = await this.#live(id, read, owner);
    }
    for (let attempt = 1; ; attempt++) {
      const data = await updater(current.data, current);
      if (data === undefined) {
        throw new SessionError(
          'INVALID_ARGUMENT',
          'Invalid `data`: the updater returned undefined; expected a JSON value (null clears the data).',
        );
      }
      checkJson('data', data);
      const version = current.version;
      const result = await callStore(
        'update',
        () => store.update(id, version, data, clock.now(), policy, owner),
        counters,
      );
      if (result.status === 'updated') return copySessionRecord(result.session);
      current =
        result.status === 'conflict'
          ? copySessionRecord(result.session)
          : await this.#live(id, result, owner);
      if (attempt >= maxAttempts) throw conflictError(id, attempt);
    }
  }

  /**
   * The record of a session `lookup` found live (a detached snapshot), after ending it if it
   * was due, as `resolve` does. @throws SessionError `SESSION_ENDED`, `SESSION_NOT_FOUND`.
   */
  async #live(id: string, lookup: StoreLookup, owner: OwnerCheck): Promise<SessionRecord> {
    const resolution = await this.#endings.settle(id, lookup, owner);
    if (resolution.status === 'active') return resolution.session;
    if (resolution.status === 'ended') throw endedError(id, resolution.tombstone);
    throw new SessionError(
      'SESSION_NOT_FOUND',
      `Session ${maskSessionId(id)} is not active for this caller: unknown, or not its owner's.`,
    );
  }
}

/** `SESSION_ENDED`, carrying the tombstone. */
function endedError(id: string, tombstone: Tombstone): SessionError {
  return new SessionError(
    'SESSION_ENDED',
    `Session ${maskSessionId(id)} has ended (${tombstone.reason} at ${tombstone.endedAt}); ` +
      'its data can no longer change.',
    { tombstone },
  );
}

/** `UPDATE_CONFLICT` after `attempts` writes that each found the data changed. */
function conflictError(id: string, attempts: number): SessionError {
  return new SessionError(
    'UPDATE_CONFLICT',
    `Session ${maskSessionId(id)}: gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
      '(option `maxAttempts`); other writers changed its data before each write.',
  );
}
