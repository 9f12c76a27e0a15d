/**
 * One replica of a benchmark fleet (server kind `fleet`): `StreamableHttpHandler` over a
 * `RedisStore` that every replica shares (same Redis, same prefix), with a `RedisRelay` between
 * replicas (its subscriber a duplicate of the store's node-redis client) and idle trimming
 * (`localIdleMs`, `trim()`). The manager's clock can be moved forward, so the suite can let
 * `localIdleMs` pass without waiting for it.
 */
import { createClient } from 'redis';
import type { SessionServer } from '../../src/adapters/shared/server.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { RedisRelay, RedisStore } from '../../src/stores/redis/index.js';
import type { ServerConfig, TrimResult } from './server-protocol.js';
import type { Wiring } from './web-wiring.js';

/** Sessions outlive any clock move of the suite by far. */
const IDLE_TTL_MS = 2 * 3_600_000;

/** A fleet replica's listener, its idle trimming and its clock. */
export interface FleetWiring extends Wiring {
  /** Calls `handler.trim()`; answers local transports before and after. */
  trim(): Promise<TrimResult>;
  /**
   * Moves the manager's clock forward by `ms`: how the suite lets `localIdleMs` pass without
   * waiting for it (idle trimming reads the manager's clock).
   */
  advanceClock(ms: number): void;
}

/** Builds one fleet replica serving the servers `createServer` builds. */
export async function fleetWiring(
  config: ServerConfig,
  createServer: () => SessionServer,
): Promise<FleetWiring> {
  if (config.redisUrl === undefined || config.prefix === undefined) {
    throw new Error('the fleet server kind needs redisUrl and prefix');
  }
  const client = await createClient({ url: config.redisUrl }).connect();
  const subscriber = await client.duplicate().connect();
  const store = new RedisStore({ client, prefix: config.prefix });
  const relay = new RedisRelay({ client, subscriber, prefix: config.prefix });
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const sessions = new SessionManager({
    store,
    maxSessions: Infinity,
    idleTtlMs: IDLE_TTL_MS,
    clock,
  });
  const handler = new StreamableHttpHandler({
    sessions,
    createServer,
    relay,
    ...(config.localIdleMs === undefined ? {} : { localIdleMs: config.localIdleMs }),
  });
  return {
    listener: (req, res) => {
      void handler.node(req, res);
    },
    size: () => handler.size,
    advanceClock(ms) {
      offset += ms;
    },
    async trim() {
      const before = handler.size;
      await handler.trim();
      return { before, after: handler.size };
    },
  };
}
