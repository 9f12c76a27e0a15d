import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js';
import { SESSION_ID_PARAM } from './url.js';

/**
 * The wire format both legacy SSE transports (node and Web) share, as the SDK's
 * `SSEServerTransport` writes it. Internal.
 *
 * @module
 */

/**
 * The `endpoint` event announcing where to post: `endpoint` (absolute path or relative to the
 * stream) with the `sessionId` query parameter.
 */
export function endpointEvent(endpoint: string, sessionId: string): string {
  const url = new URL(endpoint, 'http://localhost');
  url.searchParams.set(SESSION_ID_PARAM, sessionId);
  return `event: endpoint\ndata: ${url.pathname}${url.search}${url.hash}\n\n`;
}

/** The `message` event carrying one JSON-RPC message to the client. */
export function messageEvent(message: JSONRPCMessage): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

/**
 * Delivers a client message to `transport.onmessage` once it parses as JSON-RPC.
 *
 * @throws Error (after `transport.onerror`) when it is not JSON-RPC.
 */
export function deliverClientMessage(
  transport: Pick<Transport, 'onmessage' | 'onerror'>,
  message: unknown,
  extra?: MessageExtraInfo,
): void {
  let parsed: JSONRPCMessage;
  try {
    parsed = JSONRPCMessageSchema.parse(message);
  } catch (error) {
    transport.onerror?.(error as Error);
    throw error;
  }
  transport.onmessage?.(parsed, extra);
}
