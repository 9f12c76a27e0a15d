import type { Logger } from '../../core/logger.js';
import type { AuthInfo } from './auth-info.js';
import { type NodeRequest, toWebRequest } from './node-bridge.js';

/**
 * Derives the session owner of a request from the authenticated principal (`req.auth` on
 * node:http, set by the SDK's auth middleware; the `authInfo` option of a `fetch` door) and the
 * request as a Web `Request` (method, URL, headers; no body). The default is {@link ownerFromAuth}:
 * the client ID plus the token's subject. Sessions answer only to their
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
 * The user of `authInfo`: `authInfo.extra.sub` when it is a non-empty string (where token
 * verifiers put the token's `sub` claim; the SDK's `AuthInfo` has no field of its own for it),
 * else none. Never throws.
 */
export function subjectOf(authInfo: AuthInfo | undefined): string | undefined {
  const extra: unknown = authInfo?.extra;
  if (typeof extra !== 'object' || extra === null) return undefined;
  const sub: unknown = (extra as { sub?: unknown }).sub;
  return typeof sub === 'string' && sub.length > 0 ? sub : undefined;
}

/**
 * The default owner: the OAuth client ID of `authInfo` and the user ({@link subjectOf}), as the
 * JSON text of the pair, `["<clientId>","<sub>"]`, when both are non-empty strings (no two pairs
 * share a text, whatever characters they hold); the client ID alone when the token carries no
 * subject; none without a non-empty client ID. Never throws.
 */
export function ownerFromAuth(authInfo: AuthInfo | undefined): string | undefined {
  const clientId: unknown = authInfo?.clientId;
  if (typeof clientId !== 'string' || clientId.length === 0) return undefined;
  const sub = subjectOf(authInfo);
  return sub === undefined ? clientId : JSON.stringify([clientId, sub]);
}

/** Owner functions that read `authInfo` alone, so the node door builds no Web `Request` for them. */
const AUTH_ONLY = new WeakMap<OwnerOf, (authInfo: AuthInfo | undefined) => string | undefined>();
AUTH_ONLY.set(ownerFromAuth, ownerFromAuth);

/**
 * The default `ownerOf` of one handler or gate: {@link ownerFromAuth}, which warns once, through
 * `logger.warn`, the first time a request is authenticated but its token carries no subject: the
 * sessions of that client app are then shared by all of its users.
 *
 * @param logger where the warning goes (a handler's `logger`; `console` for gates).
 */
export function defaultOwnerOf(logger: Logger): OwnerOf {
  let warned = false;
  const ownerOf = (authInfo: AuthInfo | undefined): string | undefined => {
    const owner = ownerFromAuth(authInfo);
    if (!warned && authInfo !== undefined && subjectOf(authInfo) === undefined) {
      warned = true;
      logger.warn?.(
        `mcp-sessions: the auth info of client ${JSON.stringify(authInfo.clientId)} carries no ` +
          'subject (`extra.sub`), so sessions are bound to the client app only: every user of ' +
          'that client shares them. Pass `ownerOf` to bind sessions to the user.',
      );
    }
    return owner;
  };
  AUTH_ONLY.set(ownerOf, ownerOf);
  return ownerOf;
}

/**
 * The owner of a node:http request. The Web `Request` that `ownerOf` reads is built only for a
 * custom `ownerOf`: the default reads `req.auth` alone and allocates nothing.
 *
 * @throws SessionError `INVALID_ARGUMENT` (answered 400) for a `Host` that forms no URL; whatever
 *   `ownerOf` throws.
 */
export function ownerOfNode(ownerOf: OwnerOf, req: NodeRequest): string | undefined {
  const authOnly = AUTH_ONLY.get(ownerOf);
  if (authOnly !== undefined) return authOnly(req.auth);
  return ownerOf(req.auth, toWebRequest(req));
}
