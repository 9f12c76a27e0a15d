import type { RedisConnection } from './connection.js';

/** The part of an ioredis (v5+) `Redis` or `Cluster` instance the store uses. */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  readonly status: string;
}

/** True when `client` looks like an ioredis instance. */
export function isIoRedisClient(client: unknown): client is IoRedisClientLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.call === 'function' && typeof c.status === 'string';
}

/** Statuses in which ioredis would hold commands until a reconnection. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

/**
 * Wraps an ioredis instance through its generic `call`. Commands sent while it first connects
 * (`wait`, `connecting`, `connect`) wait in its queue, bounded by the store's command timeout.
 */
export function ioRedisConnection(client: IoRedisClientLike): RedisConnection {
  return {
    send: (command) => client.call(...(command as [string, ...string[]])),
    connected: () => !DISCONNECTED.has(client.status),
  };
}
