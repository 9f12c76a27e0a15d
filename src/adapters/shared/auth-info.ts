/**
 * The authenticated principal of a request, as both SDKs' bearer-auth middleware leave it on
 * `req.auth`: the `AuthInfo` of SDK v1 (`@modelcontextprotocol/sdk`) and of SDK v2
 * (`@modelcontextprotocol/server`) both fit, so the shared adapter code loads neither.
 */
export interface AuthInfo {
  /** The access token. */
  token: string;
  /** The OAuth client ID the token was issued to. */
  clientId: string;
  /** The token's scopes. */
  scopes: string[];
  /** When the token expires, in seconds since the epoch. */
  expiresAt?: number;
  /** The RFC 8707 resource the token is valid for. */
  resource?: URL;
  /** Anything else the verifier attached (the token's `sub` claim, by convention `extra.sub`). */
  extra?: Record<string, unknown>;
}
