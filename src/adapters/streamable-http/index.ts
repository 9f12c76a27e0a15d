/**
 * mcp-sessions/streamable-http: sessions for the SDK's Streamable HTTP transport.
 *
 * @module
 */
export {};
