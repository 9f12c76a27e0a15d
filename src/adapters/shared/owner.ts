import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { type NodeRequest, toWebRequest } from './node-bridge.js';

/**
 * Derives the session owner of a request from the authenticated principal (`req.auth` on
 * node:http, set by the SDK's auth middleware; the `authInfo` option of a `fetch` door) and the
 * request as a Web `Request` (method, URL, headers; no body). Sessions answer only to their
 * owner: another owner's session answers 404 `SESSION_NOT_FOUND`. `undefined`: no owner. A throw
 * answers 500.
 *
 * @example
 * ```ts
 * const ownerOf: OwnerOf = (authInfo, request) =>
 *   authInfo?.extra?.userId as string | undefined ?? request.headers.get('x-user') ?? undefined;
 * ```
 */
export type OwnerOf = (authInfo: AuthInfo | undefined, request: Request) => string | undefined;

/**
 * The default owner: the OAuth client ID of `authInfo` when it is a non-empty string, else none.
 * Never throws.
 */
export function ownerFromAuth(authInfo: AuthInfo | undefined): string | undefined {
  const clientId: unknown = authInfo?.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}

/**
 * The owner of a node:http request. The Web `Request` that `ownerOf` reads is built only for a
 * custom `ownerOf`: the default reads `req.auth` alone and allocates nothing.
 *
 * @throws SessionError `INVALID_ARGUMENT` (answered 400) for a `Host` that forms no URL; whatever
 *   `ownerOf` throws.
 */
export function ownerOfNode(ownerOf: OwnerOf, req: NodeRequest): string | undefined {
  if (ownerOf === ownerFromAuth) return ownerFromAuth(req.auth);
  return ownerOf(req.auth, toWebRequest(req));
}
