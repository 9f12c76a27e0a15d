import { ownerFromAuth } from '../adapters/shared/owner.js';
import { SessionManager } from '../core/session-manager.js';
import { deadlineOf } from '../core/store.js';
import type { JsonValue, SessionRecord } from '../core/types.js';
import { authInfoOf } from './caller.js';
import { bodyLength, generateHandle, shapeOf } from './handle-id.js';
import { HandleTexts } from './messages.js';
import {
  type HandleKindOptions,
  type ResolvedHandleKindOptions,
  resolveHandleKindOptions,
} from './options.js';
import { claimStore, releaseStore } from './store-claims.js';
import type { HandleRecord } from './types.js';

/** A handle pinned for one call: it cannot expire until `release()`. */
export interface HandleLease<T extends JsonValue = JsonValue> {
  /** The handle as it was when acquired. */
  readonly handle: HandleRecord<T>;
  /** Unpins it; its idle clock restarts now. Idempotent; never rejects. */
  release(): Promise<void>;
}

/** Computes a handle's new state from its current one; may run more than once, without side effects. */
export type HandleUpdater<T extends JsonValue> = (
  data: T,
  handle: HandleRecord<T>,
) => T | Promise<T>;

/**
 * One kind of state handle (`basket`, `browser`, ...): a tool creates server-side state and
 * answers its handle (`bsk_` + 22 base64url characters of 128 random bits); later tools take the
 * handle as an argument. Handles are session records of a {@link SessionManager} of their own,
 * so idle TTL, lifetime, tombstones, events, owner quota and Redis fleets work as for sessions.
 *
 * Every handle belongs to its caller's owner ({@link HandleKind.ownerOf}): another owner's
 * handle answers exactly like one never issued. Methods that take a handle fail with a
 * `SessionError` whose message is written for a model: `INVALID_ARGUMENT` (not a handle of
 * this kind), `SESSION_NOT_FOUND`, `SESSION_ENDED` (with the tombstone: why and when),
 * `OWNER_QUOTA`, `CAPACITY`, `STORE_UNAVAILABLE`, `UPDATE_CONFLICT`, `CLOSED`.
 *
 * @example
 * ```ts
 * const baskets = new HandleKind<string[]>({ name: 'basket', prefix: 'bsk' });
 * const basket = await baskets.create(owner, []);
 * await baskets.update(basket.id, owner, (items) => [...items, 'apple']);
 * ```
 */
export class HandleKind<T extends JsonValue = JsonValue> {
  readonly #o: ResolvedHandleKindOptions;
  readonly #texts: HandleTexts;
  readonly #sessions: SessionManager;
  readonly #length: number;

  /**
   * @throws SessionError `INVALID_OPTION` naming the field, value and accepted range, or when
   *   another open kind uses `store`.
   */
  constructor(options: HandleKindOptions) {
    const o = resolveHandleKindOptions(options);
    this.#o = o;
    this.#texts = new HandleTexts(o);
    this.#length = bodyLength(o.idBytes);
    if (o.store !== undefined) claimStore(o.store, o.name);
    const optional = {
      ...(o.store === undefined ? {} : { store: o.store }),
      ...(o.tombstoneTtlMs === undefined ? {} : { tombstoneTtlMs: o.tombstoneTtlMs }),
      ...(o.sweepIntervalMs === undefined ? {} : { sweepIntervalMs: o.sweepIntervalMs }),
      ...(o.clock === undefined ? {} : { clock: o.clock }),
      ...(o.logger === undefined ? {} : { logger: o.logger }),
    };
    try {
      this.#sessions = new SessionManager({
        ...optional,
        idleTtlMs: o.idleTtlMs,
        maxLifetimeMs: o.maxLifetimeMs,
        maxSessions: o.maxHandles,
        maxSessionsPerOwner: o.maxPerOwner,
        generateId: () => generateHandle(o.prefix, o.idBytes),
        autoStart: o.autoStart,
      });
    } catch (error) {
      if (o.store !== undefined) releaseStore(o.store);
      throw error;
    }
  }

  /** The kind's name, singular (`basket`). */
  get name(): string {
    return this.#o.name;
  }

  /** The plural (`baskets`). */
  get plural(): string {
    return this.#o.plural;
  }

  /** The ID prefix, without its underscore (`bsk`). */
  get prefix(): string {
    return this.#o.prefix;
  }

  /** How long handles last, one sentence for tool descriptions. */
  get durability(): string {
    return this.#o.durability;
  }

  /** The tool argument that carries the handle (`basket_id`). */
  get argument(): string {
    return this.#o.argument;
  }

  /** The tool that creates handles, as errors name it (`create_basket`). */
  get createTool(): string {
    return this.#o.createTool;
  }

  /** The name of the ready-made list tool (`list_baskets`). */
  get listTool(): string {
    return this.#texts.listTool;
  }

  /** The name of the ready-made destroy tool (`destroy_basket`). */
  get destroyTool(): string {
    return this.#texts.destroyTool;
  }

  /** The idle TTL and the maximum lifetime in force, in ms (`0`: none). */
  get policy(): { readonly idleTtlMs: number; readonly maxLifetimeMs: number } {
    return { idleTtlMs: this.#o.idleTtlMs, maxLifetimeMs: this.#o.maxLifetimeMs };
  }

  /** The manager underneath: its events (`created`, `ended`), `stats()`, `sweep()`. */
  get sessions(): SessionManager {
    return this.#sessions;
  }

  /**
   * The owner of a tool call from the handler's second argument (SDK v1 `extra`, v2 `ctx`):
   * the `ownerOf` option, by default the OAuth client ID plus the token's subject;
   * `undefined` without authentication. Throws only what a custom `ownerOf` throws.
   */
  ownerOf(extra: unknown): string | undefined {
    const authInfo = authInfoOf(extra);
    return this.#o.ownerOf === undefined
      ? ownerFromAuth(authInfo)
      : this.#o.ownerOf(authInfo, extra);
  }

  /**
   * `value` as a handle of this kind.
   * @throws SessionError `INVALID_ARGUMENT` for anything else (a handle of another kind too).
   */
  parse(value: unknown): string {
    const shape = shapeOf(value, this.#o.prefix, this.#length);
    if (shape === 'handle') return value as string;
    throw this.#texts.malformed(shape === 'other-kind');
  }

  /**
   * Creates a handle for `owner` (`undefined`: none, possession alone gives access) holding
   * `data`. @throws SessionError `OWNER_QUOTA`, `CAPACITY`, `INVALID_ARGUMENT` (data not JSON
   * or over 64 KiB), `STORE_UNAVAILABLE`, `CLOSED`.
   */
  async create(owner: string | undefined, data: T): Promise<HandleRecord<T>> {
    try {
      return handleOf<T>(await this.#sessions.create({ owner, kind: this.#o.name, data }));
    } catch (error) {
      throw this.#texts.translate(error);
    }
  }

  /** The owner's live handle, without using it (its idle clock goes on). */
  async get(value: unknown, owner: string | undefined): Promise<HandleRecord<T>> {
    const id = this.parse(value);
    try {
      const found = await this.#sessions.resolve(id, { owner });
      if (found.status === 'active') return handleOf<T>(found.session);
      throw found.status === 'ended'
        ? this.#texts.expired(id, found.tombstone)
        : this.#texts.notFound(id);
    } catch (error) {
      throw this.#texts.translate(error, id);
    }
  }

  /**
   * Uses the owner's handle: restarts its idle clock and pins it until `release()`, so a long
   * call never expires its own handle (its lifetime still applies). Another owner's attempt
   * writes nothing.
   */
  async acquire(value: unknown, owner: string | undefined): Promise<HandleLease<T>> {
    const id = this.parse(value);
    try {
      const lease = await this.#sessions.acquire(id, { owner });
      if (lease.status === 'active') {
        return { handle: handleOf<T>(lease.session), release: lease.release };
      }
      throw lease.status === 'ended'
        ? this.#texts.expired(id, lease.tombstone)
        : this.#texts.notFound(id);
    } catch (error) {
      throw this.#texts.translate(error, id);
    }
  }

  /**
   * Changes the owner's handle's state atomically, from any replica (read, apply, write if the
   * version is unchanged, else again); answers the new record. Does not restart the idle clock.
   * With `from` (this handle's record as read earlier, e.g. the one a tool call was given), the
   * first attempt starts from it instead of reading: one store call when it is still current.
   */
  async update(
    value: unknown,
    owner: string | undefined,
    updater: HandleUpdater<T>,
    from?: HandleRecord<T>,
  ): Promise<HandleRecord<T>> {
    const id = this.parse(value);
    try {
      const record = await this.#sessions.update(
        id,
        (data, session) => updater(data as T, handleOf<T>(session)),
        {
          owner: owner ?? null,
          ...(from === undefined ? {} : { from: sessionOf(from, this.name) }),
        },
      );
      return handleOf<T>(record);
    } catch (error) {
      throw this.#texts.translate(error, id);
    }
  }

  /**
   * Destroys the owner's live handle: it ends with reason `deleted`, and later uses answer
   * "expired". An unknown or foreign handle fails `SESSION_NOT_FOUND`, an ended one
   * `SESSION_ENDED`; neither is touched.
   */
  async destroy(value: unknown, owner: string | undefined): Promise<void> {
    const id = this.parse(value);
    try {
      const found = await this.#sessions.resolve(id, { owner });
      if (found.status === 'unknown') throw this.#texts.notFound(id);
      if (found.status === 'ended') throw this.#texts.expired(id, found.tombstone);
      await this.#sessions.end(id, 'deleted');
    } catch (error) {
      throw this.#texts.translate(error, id);
    }
  }

  /**
   * The owner's live handles of this kind, oldest first (one past its deadline that no sweep
   * has ended yet is left out); none for a caller without an owner (handles without one are
   * found only by possession). Touches nothing.
   */
  async list(owner: string | undefined): Promise<HandleRecord<T>[]> {
    if (owner === undefined) return [];
    try {
      const records = await this.#sessions.listByOwner(owner, { kind: this.#o.name });
      const now = this.#sessions.clock.now();
      const policy = this.#sessions.policy;
      return records
        .filter((record) => deadlineOf(record.createdAt, record.lastSeenAt, policy) > now)
        .map((record) => handleOf<T>(record));
    } catch (error) {
      throw this.#texts.translate(error);
    }
  }

  /** Ends the handles past their deadline now (the sweeper does it on its own). */
  sweep(): Promise<number> {
    return this.#sessions.sweep();
  }

  /**
   * Stops the sweeper and closes the manager (see `SessionManager.close`: with a shared store
   * the handles stay for other replicas). Frees the store for another kind. Idempotent.
   */
  async close(): Promise<void> {
    await this.#sessions.close();
    if (this.#o.store !== undefined) releaseStore(this.#o.store);
  }
}

/** The session record a handle record was made from (its `kind` is the kind's name). */
function sessionOf(handle: HandleRecord, kind: string): SessionRecord {
  return { ...handle, kind };
}

function handleOf<T extends JsonValue>(record: SessionRecord): HandleRecord<T> {
  return {
    id: record.id,
    owner: record.owner,
    data: (record.data ?? null) as T,
    version: record.version,
    createdAt: record.createdAt,
    lastSeenAt: record.lastSeenAt,
  };
}
