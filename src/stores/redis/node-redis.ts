import type { RedisConnection } from './connection.js';

/**
 * The part of a node-redis (`redis` v5+) client the store uses: `createClient()`, connected.
 * A real `RedisClientType` fits it.
 */
export interface NodeRedisClientLike {
  sendCommand(args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** True when `client` looks like a node-redis client (and not a node-redis cluster). */
export function isNodeRedisClient(client: unknown): client is NodeRedisClientLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.sendCommand === 'function' && 'isOpen' in c && !('masters' in c);
}

/**
 * Wraps a node-redis client: commands go out as they are, auto-pipelined by the client. A client
 * that is open but not ready is reconnecting (a client is ready once `connect()` resolved).
 */
export function nodeRedisConnection(client: NodeRedisClientLike): RedisConnection {
  return {
    send: (command) => client.sendCommand(command),
    connected: () => client.isReady || !client.isOpen,
  };
}
