import { badRequest, type HttpAnswer, type JsonRpcId } from './answers.js';

/** The `kind` recorded for sessions created over Streamable HTTP. */
export const STREAMABLE_HTTP_KIND = 'streamable-http';

/** The `kind` recorded for sessions of the legacy HTTP+SSE transport. */
export const SSE_KIND = 'sse';

/**
 * 400 for a request that names a live session of another transport (a legacy `POST /messages`
 * for a Streamable HTTP session, or the reverse). The session is left as it is.
 *
 * @param kind the `kind` the session was created with (`undefined`: none).
 * @param expected the transport the request came through, e.g. {@link SSE_KIND}.
 */
export function wrongSessionKind(
  kind: string | undefined,
  expected: string,
  rpcId: JsonRpcId = null,
): HttpAnswer {
  const owner = kind === undefined ? 'no transport' : `the ${kind} transport`;
  return badRequest(
    `This session belongs to ${owner}, not ${expected}; send its requests through the transport that created it.`,
    rpcId,
  );
}
