import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { SessionError } from '../../src/index.js';

/**
 * The OAuth client ID of every demo token: one client app for all users, so only the token's
 * subject (the user) keeps their sessions apart.
 */
export const DEMO_CLIENT_ID = 'mcp-sessions-demo';

/**
 * Sets `req.auth` from the request's bearer token, or answers 401 the way the SDK's bearer-auth
 * middleware does (`WWW-Authenticate: Bearer error="invalid_token", ...` and an OAuth error body).
 * Answers whether the request may go on.
 */
export function authenticate(
  tokens: ReadonlyMap<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const header = req.headers.authorization;
  const [scheme, token, ...rest] = (header ?? '').split(' ');
  const user =
    scheme?.toLowerCase() === 'bearer' && token !== undefined && rest.length === 0
      ? tokens.get(token)
      : undefined;
  if (token !== undefined && user !== undefined) {
    const auth: AuthInfo = { token, clientId: DEMO_CLIENT_ID, scopes: [], extra: { sub: user } };
    (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
    return true;
  }
  const description =
    header === undefined ? 'Missing Authorization header' : 'Invalid or unknown bearer token';
  res.writeHead(401, {
    'content-type': 'application/json',
    'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
  });
  res.end(JSON.stringify({ error: 'invalid_token', error_description: description }));
  return false;
}

/**
 * Parses the demo's bearer tokens: comma-separated `token=user` pairs, whitespace around entries,
 * tokens and users trimmed (e.g. `"tok-a=alice, tok-b=bob"`). A token is split from its user at
 * the first `=` and holds no whitespace; both are non-empty; a token appears once.
 *
 * @param text the pairs, as given.
 * @param source the flag or variable named in errors.
 * @returns token to user.
 * @throws SessionError `INVALID_OPTION` naming the first malformed entry.
 */
export function parseAuthTokens(text: string, source = 'auth tokens'): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    const at = entry.indexOf('=');
    const token = entry.slice(0, at).trim();
    const user = entry.slice(at + 1).trim();
    if (at < 0 || token === '' || user === '' || /\s/.test(token) || tokens.has(token)) {
      throw new SessionError(
        'INVALID_OPTION',
        `Invalid ${source} entry ${JSON.stringify(entry)}: expected token=user, a token with no ` +
          'whitespace, each token once.',
      );
    }
    tokens.set(token, user);
  }
  return tokens;
}
