import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

/**
 * The default owner of a request: the subject of its access token (`req.auth.extra.sub`, when
 * the auth middleware put a non-empty string there), else the OAuth client ID
 * (`req.auth.clientId`), else none. Requests without `req.auth` have no owner. Never throws.
 */
export function ownerFromAuth(req: { auth?: AuthInfo | undefined }): string | undefined {
  const auth = req.auth;
  if (auth === undefined) return undefined;
  const subject = auth.extra?.sub;
  if (typeof subject === 'string' && subject.length > 0) return subject;
  const clientId: unknown = auth.clientId;
  return typeof clientId === 'string' && clientId.length > 0 ? clientId : undefined;
}
