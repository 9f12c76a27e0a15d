/**
 * mcp-sessions/redis: the Redis session store a fleet of replicas shares.
 *
 * @module
 */
export {};
