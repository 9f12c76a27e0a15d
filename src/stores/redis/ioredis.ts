import type { RedisConnection } from './connection.js';

/** The part of an ioredis (v5+) `Redis` or `Cluster` instance the store uses. */
export interface IoRedisClientLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  readonly status: string;
}

/** The part of an ioredis `Cluster` the store uses beyond {@link IoRedisClientLike}. */
export interface IoRedisClusterLike extends IoRedisClientLike {
  readonly isCluster: true;
  nodes(role: 'master'): readonly { call(command: string, ...args: string[]): Promise<unknown> }[];
}

/** True when `client` looks like an ioredis instance (`Redis` or `Cluster`). */
export function isIoRedisClient(client: unknown): client is IoRedisClientLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.call === 'function' && typeof c.status === 'string';
}

/** True when `client` is an ioredis `Cluster`. */
export function isIoRedisCluster(client: unknown): client is IoRedisClusterLike {
  return (
    isIoRedisClient(client) &&
    (client as unknown as Record<string, unknown>).isCluster === true &&
    typeof (client as unknown as Record<string, unknown>).nodes === 'function'
  );
}

/**
 * True unless `client` is an ioredis `Cluster` whose `scaleReads` sends read commands to
 * replicas: the store, relay and event log read what they just wrote (stream holders, event
 * logs), which a replica may not have yet. `'master'` is ioredis' default.
 */
export function readsFromMasters(client: IoRedisClientLike): boolean {
  if (!isIoRedisCluster(client)) return true;
  const options = (client as unknown as { options?: { scaleReads?: unknown } }).options;
  return options?.scaleReads === undefined || options.scaleReads === 'master';
}

/** Statuses in which ioredis would hold commands until a reconnection. */
const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

/**
 * Wraps an ioredis instance through its generic `call`. Commands sent while it first connects
 * (`wait`, `connecting`, `connect`) wait in its queue, bounded by the store's command timeout.
 * A `Cluster` routes each command by its keys itself (`EVALSHA` by its first key).
 */
export function ioRedisConnection(client: IoRedisClientLike): RedisConnection {
  const cluster = isIoRedisCluster(client);
  return {
    cluster,
    send: (command) => client.call(...(command as [string, ...string[]])),
    sendToMasters: (command) => {
      const [name, ...args] = command as [string, ...string[]];
      if (!cluster) return Promise.all([client.call(name, ...args)]);
      return Promise.all(client.nodes('master').map((node) => node.call(name, ...args)));
    },
    connected: () => !DISCONNECTED.has(client.status),
  };
}
