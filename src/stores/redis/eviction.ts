import { errorMessage, SessionError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TimedConnection } from './connection.js';

/**
 * What {@link RedisStore} does when Redis may evict its keys (`maxmemory-policy` other than
 * `noeviction`): `'warn'` logs once and goes on, `'refuse'` rejects every operation,
 * `'ignore'` never checks.
 */
export type EvictionPolicyCheck = 'warn' | 'refuse' | 'ignore';

/** The one policy under which Redis never drops a key of the store. */
const SAFE_POLICY = 'noeviction';

/** Redis errors that say "not now" rather than "never": the check runs again on the next use. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|CLUSTERDOWN)\b/;

/** Whether `error` came from Redis answering the command with an error (not from the transport). */
function isTransient(error: unknown): boolean {
  if (!(error instanceof SessionError) || error.cause === undefined) return true;
  const message = errorMessage(error.cause);
  // A Redis error reply starts with its code in capitals: `ERR ...`, `NOPERM ...`.
  return !/^[A-Z][A-Z_]+ /.test(message) || TRANSIENT_REPLY.test(message);
}

/** The policy out of a `CONFIG GET maxmemory-policy` reply (RESP2 array or RESP3 map). */
function policyOf(reply: unknown): string | undefined {
  if (Array.isArray(reply)) return reply.length >= 2 ? String(reply[1]) : undefined;
  if (reply instanceof Map) {
    const value: unknown = reply.get('maxmemory-policy');
    return value === undefined ? undefined : String(value);
  }
  if (typeof reply === 'object' && reply !== null && 'maxmemory-policy' in reply) {
    return String((reply as Record<string, unknown>)['maxmemory-policy']);
  }
  return undefined;
}

/**
 * One policy for the replies of every master of a cluster (one reply on a single Redis): the
 * first that evicts, else `undefined` when one did not say, else `noeviction`.
 */
function worstPolicy(replies: readonly unknown[]): string | undefined {
  const policies = replies.map(policyOf);
  const evicting = policies.find((policy) => policy !== undefined && policy !== SAFE_POLICY);
  if (evicting !== undefined) return evicting;
  return policies.every((policy) => policy === SAFE_POLICY) ? SAFE_POLICY : undefined;
}

function evictionMessage(policy: string): string {
  return (
    `Redis maxmemory-policy is '${policy}': at maxmemory Redis evicts the session store's keys ` +
    '(every key has a TTL, so volatile-* policies evict them too), and sessions vanish as ' +
    "SESSION_NOT_FOUND while indexes go missing. Set maxmemory-policy to 'noeviction'."
  );
}

/**
 * Reads Redis's `maxmemory-policy` (on a cluster, every master's, by one `CONFIG GET` each: a
 * slot may move to any of them) once, lazily, on the store's first use, and acts on it per
 * {@link EvictionPolicyCheck}. With `'warn'` the check goes out beside the first operation and
 * never delays one; with `'refuse'` operations wait for it (one round trip, once), and while
 * the policy evicts each one reads it again and rejects, so a fixed Redis is used without a
 * restart. A Redis that does not answer `CONFIG GET` (renamed or forbidden, as on managed
 * services) leaves the policy unknown: said once, never refused. A Redis that cannot be reached
 * is checked again on the next use.
 */
export class EvictionCheck {
  readonly #connection: TimedConnection;
  readonly #mode: EvictionPolicyCheck;
  readonly #logger: Logger;
  /** True once the answer is known (or unknowable) and operations may go on unchecked. */
  #settled: boolean;
  #pending: Promise<string | undefined> | undefined = undefined;
  #warned = false;

  constructor(connection: TimedConnection, mode: EvictionPolicyCheck, logger: Logger) {
    this.#connection = connection;
    this.#mode = mode;
    this.#logger = logger;
    this.#settled = mode === 'ignore';
  }

  /**
   * What an operation awaits before it runs: `undefined` (go on at once) unless the mode is
   * `'refuse'` and the policy is not known to be safe yet.
   */
  gate(): Promise<unknown> | undefined {
    if (this.#settled) return undefined;
    const pending = this.check();
    if (this.#mode === 'refuse') return pending;
    pending.catch(() => {});
    return undefined;
  }

  /**
   * Runs the check now, or joins the one under way. Answers the policy, or `undefined` when
   * Redis would not tell (or the mode is `'ignore'`).
   * @throws SessionError `STORE_UNAVAILABLE` in `'refuse'` mode when the policy evicts.
   */
  check(): Promise<string | undefined> {
    if (this.#mode === 'ignore') return Promise.resolve(undefined);
    this.#pending ??= this.#read().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #read(): Promise<string | undefined> {
    let policy: string | undefined;
    try {
      policy = worstPolicy(
        await this.#connection.sendToMasters(['CONFIG', 'GET', 'maxmemory-policy']),
      );
    } catch (error) {
      if (isTransient(error)) return undefined;
      this.#settled = true;
      this.#warnOnce(
        "Could not read Redis maxmemory-policy (CONFIG GET failed); make sure it is 'noeviction', " +
          'or the session store may lose sessions at maxmemory.',
        { error: errorMessage(error) },
      );
      return undefined;
    }
    if (policy === SAFE_POLICY) {
      this.#settled = true;
      return policy;
    }
    if (policy === undefined) {
      this.#settled = true;
      this.#warnOnce(
        "Redis did not report its maxmemory-policy; make sure it is 'noeviction', or the session " +
          'store may lose sessions at maxmemory.',
        {},
      );
      return undefined;
    }
    if (this.#mode === 'refuse') {
      throw new SessionError(
        'STORE_UNAVAILABLE',
        `${evictionMessage(policy)} The store refuses to run (evictionPolicy: 'refuse').`,
      );
    }
    this.#settled = true;
    this.#warnOnce(evictionMessage(policy), { maxmemoryPolicy: policy });
    return policy;
  }

  #warnOnce(message: string, details: Record<string, unknown>): void {
    if (this.#warned) return;
    this.#warned = true;
    this.#logger.warn?.(message, details);
  }
}
