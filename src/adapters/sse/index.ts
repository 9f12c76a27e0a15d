/**
 * mcp-sessions/sse: sessions for the SDK's legacy HTTP+SSE transport.
 *
 * @module
 */
export {};
