/**
 * The demo MCP server behind `npm start`: Streamable HTTP at `/mcp` and legacy HTTP+SSE at `/sse` +
 * `/messages`, on one session table; `GET /healthz` with the session stats and the transports
 * open in this process; tools `echo`, `sleep`, `counter`, `elicit`, `sample` and `announce` (see
 * {@link createDemoServer}). The parts live in `examples/demo/`.
 *
 * Configuration (flags win over the environment; an invalid value stops startup naming it):
 * - `--sdk` / `MCP_SDK`: `v1` (the default) or `v2`, the SDK serving `/mcp`. With `v2`, clients
 *   of protocol 2026-07-28 are served without sessions (tools `echo` and `sleep`) and 2025-era
 *   clients with sessions (every tool); `/sse` stays on SDK v1;
 * - `--port` / `PORT` (default 3000), always on 127.0.0.1;
 * - `--idle-ttl-ms` / `MCP_SESSION_IDLE_TTL_MS` (default 30 minutes);
 * - `--sweep-ms` / `MCP_SESSION_SWEEP_MS` (default a quarter of the idle TTL);
 * - `--max-sessions` / `MCP_MAX_SESSIONS` (default 10 000) and `--capacity-policy` /
 *   `MCP_CAPACITY_POLICY` (`reject`, the default, or `evict-oldest`);
 * - `--auth-tokens` / `MCP_DEMO_TOKENS`: comma-separated `token=user` pairs (see
 *   {@link parseAuthTokens}); when set, `/mcp`, `/sse` and `/messages` need
 *   `Authorization: Bearer <token>`, and each user's sessions answer only to that user;
 * - `REDIS_URL`: keep sessions in Redis instead of memory, with a relay (a second connection) so
 *   demos sharing the prefix serve each other's sessions behind a load balancer without sticky
 *   routing, and each session's event log there, so a GET stream resumes on any of them;
 * - `--redis-prefix` / `MCP_REDIS_PREFIX`: the Redis key prefix (default `mcps:{default}:`), so
 *   several demos can share one Redis; needs `REDIS_URL`;
 * - `--handle-ttl-ms` / `MCP_HANDLE_IDLE_TTL_MS` (default 30 minutes), `--handle-max-lifetime-ms` /
 *   `MCP_HANDLE_MAX_LIFETIME_MS` (default none) and `--handle-max-per-owner` /
 *   `MCP_HANDLE_MAX_PER_OWNER` (default 100): the baskets of the basket tools (state handles
 *   `bsk_…`, see `examples/demo/baskets.ts`), kept in Redis beside the sessions with `REDIS_URL`;
 * - `MCP_DEMO_CLOCK_OFFSET_MS`, for testing fleets only: this process's clock runs that many ms
 *   ahead (behind when negative, at most a day either way), to show a skewed replica: with Redis
 *   it is the clock the store corrects to Redis's time, so sessions still end on time.
 */
import { pathToFileURL } from 'node:url';
import { basketOptionsOf, localClockOf, managerOptionsOf, parseDemoConfig } from './demo/config.js';
import { connectRedis } from './demo/redis.js';
import { startDemoServer } from './demo/server.js';

export { DEMO_CLIENT_ID, parseAuthTokens } from './demo/auth.js';
export { type DemoConfig, parseDemoConfig } from './demo/config.js';
export {
  type DemoHealth,
  type DemoServer,
  type DemoServerOptions,
  startDemoServer,
} from './demo/server.js';
export { createDemoServer, MAX_SLEEP_MS } from './demo/tools.js';

async function main(): Promise<void> {
  const config = parseDemoConfig(process.argv.slice(2), process.env);
  const redis =
    config.redisUrl === undefined
      ? undefined
      : await connectRedis(config.redisUrl, config.redisPrefix, localClockOf(config));
  const managerOptions = managerOptionsOf(config);
  if (redis !== undefined) managerOptions.store = redis.store;
  const relay = redis === undefined ? {} : { relay: redis.relay };
  const basketOptions = basketOptionsOf(config);
  if (redis !== undefined) basketOptions.store = redis.basketStore;
  const demo = await startDemoServer({
    sdk: config.sdk,
    port: config.port,
    managerOptions,
    authTokens: config.authTokens,
    basketOptions,
    handlerOptions: relay,
    v2HandlerOptions: relay,
    sseHandlerOptions: relay,
  });
  const policy = demo.sessions.policy;
  const store = redis === undefined ? 'memory' : 'Redis';
  const tokens = config.authTokens;
  const auth = tokens === undefined ? '' : `, bearer auth for ${tokens.size} tokens`;
  console.log(
    `MCP demo on ${demo.mcpUrl} (SDK ${config.sdk}, idle TTL ${policy.idleTtlMs} ms, ${store} store${auth}); health at ${demo.url}/healthz`,
  );
  const stop = () => {
    demo
      .close()
      .then(() => redis?.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
