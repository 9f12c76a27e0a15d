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

/**
 * The part of a node-redis cluster (`createCluster()` from `redis` v5+, connected) the store
 * uses. Its `sendCommand` takes the key to route by first, which is why it is told apart from a
 * client.
 */
export interface NodeRedisClusterLike {
  sendCommand(firstKey: string | undefined, isReadonly: boolean, args: string[]): Promise<unknown>;
  readonly isOpen: boolean;
  readonly masters: readonly object[];
  nodeClient(node: never): Promise<{ sendCommand(args: string[]): Promise<unknown> }>;
}

function looksLikeNodeRedis(client: unknown): client is Record<string, unknown> {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Record<string, unknown>;
  return typeof c.sendCommand === 'function' && 'isOpen' in c;
}

/** True when `client` looks like a node-redis client (and not a node-redis cluster). */
export function isNodeRedisClient(client: unknown): client is NodeRedisClientLike {
  return looksLikeNodeRedis(client) && !('masters' in client);
}

/** True when `client` looks like a node-redis cluster (`createCluster()`). */
export function isNodeRedisCluster(client: unknown): client is NodeRedisClusterLike {
  return (
    looksLikeNodeRedis(client) && 'masters' in client && typeof client.nodeClient === 'function'
  );
}

/**
 * The key a command is routed by on a cluster: the first declared key of `EVAL`/`EVALSHA`, the
 * channel of `PUBLISH`/`SPUBLISH`, none for `TIME` and `CONFIG` (any node), otherwise the first
 * argument (every other command the store sends takes its key there).
 */
export function routingKey(command: readonly string[]): string | undefined {
  const name = command[0]?.toUpperCase();
  if (name === 'EVAL' || name === 'EVALSHA') return command[2] === '0' ? undefined : command[3];
  if (name === 'TIME' || name === 'CONFIG') return undefined;
  return command[1];
}

/**
 * Wraps a node-redis client: commands go out as they are, auto-pipelined by the client. A client
 * that is open but not ready is reconnecting (a client is ready once `connect()` resolved).
 */
export function nodeRedisConnection(client: NodeRedisClientLike): RedisConnection {
  return {
    cluster: false,
    send: (command) => client.sendCommand(command),
    sendToMasters: async (command) => [await client.sendCommand(command)],
    connected: () => client.isReady || !client.isOpen,
  };
}

/**
 * Wraps a node-redis cluster: each command goes to the master of its {@link routingKey}'s slot
 * (the cluster follows `MOVED`/`ASK` itself). The cluster keeps no ready flag of its own: a
 * master that is down shows as commands failing or timing out.
 */
export function nodeRedisClusterConnection(cluster: NodeRedisClusterLike): RedisConnection {
  return {
    cluster: true,
    send: (command) => cluster.sendCommand(routingKey(command), false, command),
    sendToMasters: (command) =>
      Promise.all(
        cluster.masters.map(async (node) =>
          (await cluster.nodeClient(node as never)).sendCommand(command),
        ),
      ),
    connected: () => true,
  };
}
