import type { HttpAnswer, JsonRpcId } from '../../protocol.js';
import { PROTOCOL_VERSION_HEADER, sessionlessAnswer } from '../shared/protocol-version.js';

/**
 * The 400 for a request that names no session and is not `initialize`: the spec's
 * unsupported-protocol-version error (`-32022`, `data.supported`: the versions the bound SDK
 * serves) for a `POST` of a protocol outside `supported`, such as SDK v2's `server/discover`
 * probe, else the missing-session-header error.
 */
export function answerWithoutSession(
  request: Request,
  body: unknown,
  id: JsonRpcId,
  supported: readonly string[],
): HttpAnswer {
  const version = request.headers.get(PROTOCOL_VERSION_HEADER);
  return sessionlessAnswer(request.method, version, body, supported, id);
}
