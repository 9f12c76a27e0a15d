import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

/**
 * The default owner of a request: the OAuth client ID the auth middleware put in `req.auth`
 * (`req.auth.clientId`, when a non-empty string), else none. Never throws.
 */
export function ownerFromAuth(req: { auth?: AuthInfo | undefined }): string | undefined {
  const clientId: unknown = req.auth?.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}
