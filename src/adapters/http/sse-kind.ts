import { badRequest, type HttpAnswer, type JsonRpcId } from './answers.js';

/** The `kind` recorded for sessions of the legacy HTTP+SSE transport. */
export const SSE_SESSION_KIND = 'sse';

/**
 * 400 for a request that names a live session of another transport (a legacy `POST /messages`
 * for a Streamable HTTP session, or the reverse). The session is left as it is.
 *
 * @param expected the transport the request came through, e.g. `'sse'`.
 * @param actual the `kind` the session was created with.
 */
export function wrongSessionKind(
  expected: string,
  actual: string | undefined,
  id: JsonRpcId = null,
): HttpAnswer {
  const owner = actual === undefined ? 'no transport' : `the ${actual} transport`;
  return badRequest(
    `This session belongs to ${owner}, not ${expected}; send its requests through the transport that created it.`,
    id,
  );
}
