import { SessionError } from '../../core/errors.js';
import { maskSessionId } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';

/**
 * The stored `initialize` request of `session`, parsed, for a restore: from the record when it
 * carries it, else read with `resolve` (a lease's record may leave it out; the Redis store's
 * does). Parsed here only, never on a request that finds its transport. `undefined` when there
 * is none (or the session ended meanwhile).
 *
 * @throws SessionError `STORE_CORRUPT` when the stored text is not JSON; `STORE_UNAVAILABLE`.
 */
export async function storedInitialize(
  sessions: SessionManager,
  session: SessionRecord,
): Promise<JsonValue | undefined> {
  let text = session.init;
  if (text === undefined) {
    const found = await sessions.resolve(session.id, { owner: session.owner });
    if (found.status !== 'active' || found.session.init === undefined) return undefined;
    text = found.session.init;
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new SessionError(
      'STORE_CORRUPT',
      `The stored initialize request of session ${maskSessionId(session.id)} is not JSON.`,
      { cause: error },
    );
  }
}
