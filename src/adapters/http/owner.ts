import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

/**
 * Derives the session owner of a request from the authenticated principal (`req.auth` on
 * node:http, set by the SDK's auth middleware) and the request itself. Sessions answer only to
 * their owner: another owner's session answers 404 `SESSION_NOT_FOUND`. `undefined`: no owner.
 * A throw fails the request.
 */
export type RequestOwner<Req> = (
  authInfo: AuthInfo | undefined,
  request: Req,
) => string | undefined;

/**
 * The default owner: the OAuth client ID of `authInfo` when it is a non-empty string, else none.
 * Never throws.
 */
export function ownerFromAuth(authInfo: AuthInfo | undefined): string | undefined {
  const clientId: unknown = authInfo?.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}
