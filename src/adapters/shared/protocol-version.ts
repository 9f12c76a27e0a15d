import { type HttpAnswer, type JsonRpcId, jsonRpcErrorAnswer } from '../../protocol.js';
import { missingSessionHeader } from './answers.js';

/** JSON-RPC code of the spec's unsupported-protocol-version error (protocol 2026-07-28). */
export const UNSUPPORTED_PROTOCOL_VERSION_RPC_CODE = -32022;

/** Where a 2026-07-28 request names its protocol version in `params._meta`. */
const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';

/** The header naming the request's protocol version. */
export const PROTOCOL_VERSION_HEADER = 'mcp-protocol-version';

/**
 * The protocol version a request claims and this endpoint does not serve, or `undefined`:
 * `header` (the request's `MCP-Protocol-Version`) when it names a version outside `supported`, else a version in
 * the body's `params._meta['io.modelcontextprotocol/protocolVersion']` (how 2026-07-28 requests,
 * such as a client's `server/discover` probe, carry it) outside `supported`. Never throws.
 */
export function unsupportedVersionOf(
  header: string | string[] | null | undefined,
  body: unknown,
  supported: readonly string[],
): string | undefined {
  if (typeof header === 'string' && header !== '' && !supported.includes(header)) return header;
  const claimed = metaVersionOf(body);
  return claimed !== undefined && !supported.includes(claimed) ? claimed : undefined;
}

function metaVersionOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const params: unknown = (body as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta: unknown = (params as { _meta?: unknown })._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const version: unknown = (meta as Record<string, unknown>)[PROTOCOL_VERSION_META_KEY];
  return typeof version === 'string' && version !== '' ? version : undefined;
}

/**
 * 400 with the spec's unsupported-protocol-version error: code `-32022`, message
 * `Unsupported protocol version: <requested>`, `data.supported` and `data.requested`. A client
 * negotiating its version (SDK v2 in `auto` mode) falls back to one of `supported` on it.
 */
export function unsupportedProtocolVersion(
  requested: string,
  supported: readonly string[],
  id: JsonRpcId = null,
): HttpAnswer {
  return jsonRpcErrorAnswer(
    400,
    UNSUPPORTED_PROTOCOL_VERSION_RPC_CODE,
    `Unsupported protocol version: ${requested}`,
    { data: { supported: [...supported], requested }, id },
  );
}

/**
 * The 400 for a request that names no session and is not `initialize`: the spec's
 * unsupported-protocol-version error when it is a `POST` claiming a protocol outside `supported`
 * (see {@link unsupportedVersionOf}), else the missing-session-header error.
 */
export function sessionlessAnswer(
  method: string | undefined,
  versionHeader: string | string[] | null | undefined,
  body: unknown,
  supported: readonly string[],
  id: JsonRpcId = null,
): HttpAnswer {
  const version =
    method === 'POST' ? unsupportedVersionOf(versionHeader, body, supported) : undefined;
  return version === undefined
    ? missingSessionHeader(id)
    : unsupportedProtocolVersion(version, supported, id);
}
