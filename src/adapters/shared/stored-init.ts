import { SessionError } from '../../core/errors.js';
import { maskSessionId } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { JsonValue, SessionRecord } from '../../core/types.js';

/**
 * The stored `initialize` request of `session`, parsed, for a restore: from the record when it
 * carries it, else read with `resolve` (a lease's record may leave it out; the Redis store's
 * does). Parsed here only, never on a request that finds its transport.
 *
 * @throws Error when the session has none (or ended meanwhile); SessionError `STORE_CORRUPT`
 *   when the stored text is not JSON, `STORE_UNAVAILABLE`.
 */
export async function storedInitialize(
  sessions: SessionManager,
  session: SessionRecord,
): Promise<JsonValue> {
  let text = session.init;
  if (text === undefined) {
    const found = await sessions.resolve(session.id, { owner: session.owner });
    text = found.status === 'active' ? found.session.init : undefined;
  }
  if (text === undefined) {
    throw new Error(
      `Session ${maskSessionId(session.id)} has no stored initialize request to restore from.`,
    );
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
