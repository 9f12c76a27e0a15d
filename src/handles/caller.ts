/**
 * The caller of a tool, from the second argument the SDK passes tool handlers: SDK v1 puts the
 * request's `AuthInfo` at `extra.authInfo`, SDK v2 at `ctx.http.authInfo`. Read by shape, so no
 * SDK is loaded. Internal.
 *
 * @module
 */
import type { AuthInfo } from '../adapters/shared/auth-info.js';

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[name]
    : undefined;
}

/** The `AuthInfo` of a tool call (v1 `extra.authInfo`, else v2 `ctx.http.authInfo`). Never throws. */
export function authInfoOf(extra: unknown): AuthInfo | undefined {
  const auth = field(extra, 'authInfo') ?? field(field(extra, 'http'), 'authInfo');
  return typeof auth === 'object' && auth !== null ? (auth as AuthInfo) : undefined;
}
