import {
  isInitializeRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import type { StreamableSdk } from '../streamable-http/sdk.js';

/**
 * SDK v2 (`@modelcontextprotocol/server`), bound for the `mcp-sessions/v2` entry: its
 * `initialize` (2025-era) transport and the protocol versions that transport serves.
 */
export const SDK_V2: StreamableSdk = Object.freeze({
  Transport: WebStandardStreamableHTTPServerTransport,
  isInitializeRequest,
  supportedVersions: SUPPORTED_PROTOCOL_VERSIONS,
});
