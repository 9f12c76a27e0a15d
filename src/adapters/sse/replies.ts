import type { HttpAnswer, JsonRpcId } from '../../protocol.js';
import { badRequest } from '../shared/answers.js';

/** 404 for a path this handler does not serve (used when there is no `next`). */
export function pathNotFound(ssePath: string, messagesPath: string): HttpAnswer {
  return badRequest(
    `Not found: this endpoint serves GET ${ssePath} and POST ${messagesPath}.`,
    null,
    404,
  );
}

/**
 * 409 for a live session whose stream this process does not hold: it closed (open a new one),
 * or it is held by another process (route `POST`s to the process holding the stream).
 */
export function streamUnavailable(closed: boolean, ssePath: string, id: JsonRpcId): HttpAnswer {
  return badRequest(
    closed
      ? `The SSE stream of this session is closed; open a new session with GET ${ssePath}.`
      : 'The SSE stream of this session is held by another server process; route its POSTs to that process.',
    id,
    409,
  );
}
