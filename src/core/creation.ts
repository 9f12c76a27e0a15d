import { checkGeneratedId, checkJson, checkLabel } from './arguments.js';
import { checkAddress } from './client-address.js';
import type { Clock } from './clock.js';
import type { Counters } from './counters.js';
import { CreationRateLimiter, type ResolvedCreationRate } from './creation-rate.js';
import { callStore, SessionError } from './errors.js';
import { initTextOf } from './init-text.js';
import { maskSessionId } from './logger.js';
import type { CreateSessionOptions } from './manager-types.js';
import { assertValidSessionId } from './session-id.js';
import type { CreateResult, NewSession, SessionStore, StorePolicy } from './store.js';
import type { SessionRecord } from './types.js';

/**
 * Making a session: argument checks, the store's create-if-absent, one eviction at capacity,
 * and new IDs when a generated one is taken. Internal: the manager's `create` and `register`
 * run through {@link createSession}.
 *
 * @module
 */

/**
 * How many generated IDs {@link createSession} tries when each is already in use (a collision
 * of good random IDs is practically impossible; a repeat means a weak generator).
 */
const GENERATED_ID_ATTEMPTS = 4;

/** What creating a session needs from its manager. */
export interface CreationContext {
  readonly store: SessionStore;
  readonly policy: StorePolicy;
  readonly clock: Clock;
  readonly generateId: () => string;
  readonly capacityPolicy: 'reject' | 'evict-oldest';
  /** The manager's counters: creates and refused creates are counted here. */
  readonly counters: Counters;
  /** The largest stored `initialize` accepted, in bytes of JSON text. */
  readonly maxInitBytes: number;
  /** The `creationRate` limit; `undefined`: none. */
  readonly rate: CreationRateLimiter | undefined;
  /** Ends the least recently touched session pinned nowhere; `false` when none could be ended. */
  evictOldest(): Promise<boolean>;
}

/** The limiter of a `creationRate` option on `clock`; `undefined` without the option. */
export function rateLimiterOf(
  rate: ResolvedCreationRate | undefined,
  clock: Clock,
): CreationRateLimiter | undefined {
  return rate === undefined ? undefined : new CreationRateLimiter(rate, clock);
}

/**
 * Creates a session with a generated ID (or `options.id`) and answers its record. A generated
 * ID that is already in use (live or tombstoned) is replaced by a new one, up to
 * {@link GENERATED_ID_ATTEMPTS} IDs in all; an ID the caller chose is never replaced. Counts
 * the session, or why it was refused, on `context.counters`.
 *
 * @throws SessionError `RATE_LIMITED` (before any store call), `OWNER_QUOTA`, `CAPACITY`, `SESSION_EXISTS`, `INVALID_SESSION_ID`, `INVALID_ARGUMENT`,
 *   `STORE_UNAVAILABLE` (see `SessionManager.create`).
 */
export async function createSession(
  context: CreationContext,
  options: CreateSessionOptions,
): Promise<SessionRecord> {
  try {
    const record = await attemptCreate(context, options);
    context.counters.created++;
    return record;
  } catch (error) {
    context.counters.createFailed(error);
    throw error;
  }
}

async function attemptCreate(
  context: CreationContext,
  options: CreateSessionOptions,
): Promise<SessionRecord> {
  if (options.id !== undefined) assertValidSessionId(options.id);
  checkLabel('owner', options.owner);
  checkLabel('kind', options.kind);
  checkJson('data', options.data);
  checkAddress(options.address);
  const init = initTextOf(options.init, context.maxInitBytes);
  context.rate?.take(options.owner, options.address);
  for (let attempt = 1; ; attempt++) {
    const id = options.id ?? checkGeneratedId(context.generateId());
    const session = {
      id,
      owner: options.owner,
      kind: options.kind,
      data: options.data,
      init,
      createdAt: context.clock.now(),
    };
    const result = await insert(context, session);
    if (result === 'owner-full') {
      throw new SessionError(
        'OWNER_QUOTA',
        `Session quota per owner reached (maxSessionsPerOwner = ${context.policy.maxSessionsPerOwner}); end a session of this owner or try again later.`,
      );
    }
    if (result === 'full') {
      throw new SessionError(
        'CAPACITY',
        `Session capacity reached (maxSessions = ${context.policy.maxSessions}); try again later.`,
      );
    }
    if (result === 'created') return { ...session, lastSeenAt: session.createdAt, version: 1 };
    if (options.id !== undefined) {
      throw new SessionError(
        'SESSION_EXISTS',
        `Session ID ${maskSessionId(id)} is already in use.`,
      );
    }
    if (attempt >= GENERATED_ID_ATTEMPTS) {
      throw new SessionError(
        'SESSION_EXISTS',
        `Option \`generateId\` returned ${attempt} IDs in a row that are already in use; ` +
          'it must return distinct, unguessable IDs (at least 16 random characters).',
      );
    }
  }
}

/**
 * One store create, evicting the oldest session once at capacity when the policy says so (never
 * for `'owner-full'`, which the store answers before `'full'`).
 */
async function insert(context: CreationContext, session: NewSession): Promise<CreateResult> {
  const { store, policy } = context;
  const result = await callStore('create', () => store.create(session, policy));
  if (
    result === 'full' &&
    context.capacityPolicy === 'evict-oldest' &&
    (await context.evictOldest())
  ) {
    return callStore('create', () => store.create(session, policy));
  }
  return result;
}
