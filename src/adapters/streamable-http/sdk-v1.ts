import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  isInitializeRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { StreamableSdk } from './sdk.js';

/** SDK v1 (`@modelcontextprotocol/sdk`), bound for the `mcp-sessions/streamable-http` entry. */
export const SDK_V1: StreamableSdk = Object.freeze({
  Transport: WebStandardStreamableHTTPServerTransport,
  isInitializeRequest,
  supportedVersions: SUPPORTED_PROTOCOL_VERSIONS,
});
