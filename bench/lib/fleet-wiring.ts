/**
 * One replica of a benchmark fleet (server kind `fleet`): `StreamableHttpHandler` over a
 * `RedisStore` that every replica shares (same Redis, same prefix), with a `RedisRelay` between
 * replicas and local trimming (`localIdleMs`, `trim()`) when the library offers them. Both are
 * looked up at run time, so the suite runs (and says what it could not measure) on a library
 * without them.
 */
import { createClient } from 'redis';
import type { SessionServer } from '../../src/adapters/shared/server.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import type { StreamableHttpHandlerOptions } from '../../src/adapters/streamable-http/options.js';
import type { SessionRelay } from '../../src/core/relay.js';
import { SessionManager } from '../../src/index.js';
import * as redisExports from '../../src/stores/redis/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import type { FleetFeatures, ServerConfig, TrimResult } from './server-protocol.js';
import type { Wiring } from './web-wiring.js';

const IDLE_TTL_MS = 2 * 3_600_000;

type RelayClass = new (options: {
  client: unknown;
  subscriber: unknown;
  prefix: string;
}) => SessionRelay;

/** A fleet replica's listener, what it could wire, and its local trimming. */
export interface FleetWiring extends Wiring {
  features: FleetFeatures;
  /** Calls `handler.trim()` when there is one; answers local transports before and after. */
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
  const store = new RedisStore({ client, prefix: config.prefix });
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  // Sessions outlive any clock move of the suite (`advanceClock`) by far.
  const sessions = new SessionManager({
    store,
    maxSessions: Infinity,
    idleTtlMs: IDLE_TTL_MS,
    clock,
  });
  const Relay = (redisExports as Record<string, unknown>).RedisRelay as RelayClass | undefined;
  let relay: SessionRelay | undefined;
  if (Relay !== undefined) {
    const subscriber = await client.duplicate().connect();
    relay = new Relay({ client, subscriber, prefix: config.prefix });
  }
  const probe = StreamableHttpHandler.prototype as unknown as { trim?: unknown };
  const canTrim = typeof probe.trim === 'function';
  // Options the handler may not have yet are only passed when the library offers them.
  const extra: Record<string, unknown> = {};
  if (relay !== undefined) extra.relay = relay;
  if (canTrim && config.localIdleMs !== undefined) extra.localIdleMs = config.localIdleMs;
  const handler = new StreamableHttpHandler({
    ...extra,
    sessions,
    createServer,
  } as StreamableHttpHandlerOptions);
  const trimmable = handler as unknown as { trim?: () => unknown };
  return {
    listener: (req, res) => {
      void handler.node(req, res);
    },
    size: () => handler.size,
    features: { relay: relay !== undefined, trim: canTrim },
    advanceClock(ms) {
      offset += ms;
    },
    async trim() {
      const before = handler.size;
      if (typeof trimmable.trim === 'function') await trimmable.trim();
      return { before, after: handler.size };
    },
  };
}
