import type { ServerResponse } from 'node:http';
import type { Logger } from '../../core/logger.js';
import type { SessionManager } from '../../core/session-manager.js';
import type { HttpAnswer, JsonRpcId } from '../../protocol.js';
import { answerForError } from './answers.js';
import { countMistake } from './client-mistakes.js';
import { writeNodeAnswer } from './node-bridge.js';

/** Express-style `next`. */
export type Next = (error?: unknown) => void;

/**
 * The third argument of a node door, told apart: a function is Express's `next`; anything else
 * is the already parsed body (`undefined`: none).
 */
export function doorArgument(third: unknown): { next: Next | undefined; parsedBody: unknown } {
  return typeof third === 'function'
    ? { next: third as Next, parsedBody: undefined }
    : { next: undefined, parsedBody: third };
}

/**
 * How a handler reports a failure: its `Retry-After`, its logger, its name in log lines, and
 * the manager that counts the client mistakes among failures.
 */
export interface FailureContext {
  readonly sessions: SessionManager;
  readonly retryAfterSeconds: number;
  readonly logger: Logger;
  /** Names the handler in the log line, e.g. `Streamable HTTP`. */
  readonly transport: string;
}

/**
 * The answer to a failure: 400, 429 or 503 for the failures `answerForError` knows (a 400 is
 * counted as a client mistake, not logged); else 500, and the failure is logged.
 */
export function failureAnswer(
  context: FailureContext,
  error: unknown,
  rpcId: JsonRpcId,
): HttpAnswer {
  const answer = answerForError(error, rpcId, context.retryAfterSeconds);
  if (answer.status === 500) {
    context.logger.error?.(`mcp-sessions: ${context.transport} request failed`, { error });
  }
  return countMistake(context.sessions, answer);
}

/**
 * The failure contract of both node doors: a known failure (bad `Host`, store unreachable, ...)
 * is answered; an unexpected one goes to `next(error)` when the door was given a `next` (Express
 * error handlers see it), else answers 500 and is logged. Once headers went out the response is
 * just ended.
 */
export function failNode(
  context: FailureContext,
  res: ServerResponse,
  next: Next | undefined,
  error: unknown,
  rpcId: JsonRpcId,
): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const known = answerForError(error, rpcId, context.retryAfterSeconds);
  if (known.status !== 500) writeNodeAnswer(res, countMistake(context.sessions, known));
  else if (next !== undefined) next(error);
  else writeNodeAnswer(res, failureAnswer(context, error, rpcId));
}
