import { badRequest, type HttpAnswer, type JsonRpcId } from '../http/answers.js';

/** An HTTP answer with a JSON-RPC error body, for statuses the shared answers do not cover. */
function withStatus(status: number, answer: HttpAnswer): HttpAnswer {
  return { status, headers: answer.headers, body: answer.body };
}

/** 415 for a `POST` whose body is not declared as JSON. */
export const UNSUPPORTED_TYPE: HttpAnswer = withStatus(
  415,
  badRequest('Unsupported Content-Type: expected application/json.'),
);

/** 400 for a body that is JSON but not a JSON-RPC message. */
export function invalidMessage(id: JsonRpcId): HttpAnswer {
  return badRequest('Invalid JSON-RPC message.', id);
}

/** 404 for a path this handler does not serve (used when there is no `next`). */
export function pathNotFound(ssePath: string, messagesPath: string): HttpAnswer {
  return withStatus(
    404,
    badRequest(`Not found: this endpoint serves GET ${ssePath} and POST ${messagesPath}.`),
  );
}

/**
 * 409 for a live session whose stream this process does not hold: it closed (open a new one),
 * or it is held by another process (route `POST`s to the process holding the stream).
 */
export function streamUnavailable(closed: boolean, ssePath: string, id: JsonRpcId): HttpAnswer {
  return withStatus(
    409,
    badRequest(
      closed
        ? `The SSE stream of this session is closed; open a new session with GET ${ssePath}.`
        : 'The SSE stream of this session is held by another server process; route its POSTs to that process.',
      id,
    ),
  );
}
