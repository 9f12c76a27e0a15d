/**
 * mcp-sessions/client: re-initialize SDK clients when their session is gone.
 *
 * @module
 */
export {};
