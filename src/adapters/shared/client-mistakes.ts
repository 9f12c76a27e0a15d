import type { SessionManager } from '../../core/session-manager.js';
import type { HttpAnswer } from '../../protocol.js';

/**
 * Whether `status` answers a client mistake: a 4xx other than 404 (a session's state, counted
 * by the manager's lookups) and 429 (the manager's limits, counted where they refuse).
 */
export function isClientMistake(status: number): boolean {
  return status >= 400 && status < 500 && status !== 404 && status !== 429;
}

/**
 * Counts `answer` on `sessions` (`rejected.badInput`) when it answers a client mistake (a bad
 * method, `Host`, `Origin`, `Accept`, body or session header), and hands it back unchanged.
 * The one place the HTTP handlers count what they refuse themselves; not logged (a client's
 * mistake is not the server's error). Never throws.
 */
export function countMistake(sessions: SessionManager, answer: HttpAnswer): HttpAnswer {
  if (isClientMistake(answer.status)) sessions.noteAdapterEvent('badInput');
  return answer;
}
