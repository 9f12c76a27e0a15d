import { parseArgs } from 'node:util';
import type { HandleKindOptions } from '../../src/handles/index.js';
import { type Clock, SessionError, type SessionManagerOptions } from '../../src/index.js';
import { parseAuthTokens } from './auth.js';

/** The longest clock offset `MCP_DEMO_CLOCK_OFFSET_MS` accepts, either way: one day, in ms. */
export const MAX_CLOCK_OFFSET_MS = 86_400_000;

/** The longest Redis key prefix the demo accepts. */
export const MAX_REDIS_PREFIX_CHARS = 256;

/** Which SDK serves `/mcp`: `v1` (`mcp-sessions/streamable-http`) or `v2` (`mcp-sessions/v2`). */
export type DemoSdk = 'v1' | 'v2';

/** The values `--sdk` / `MCP_SDK` accepts. */
export const DEMO_SDKS: readonly DemoSdk[] = ['v1', 'v2'];

/** The longest basket TTL or lifetime the demo accepts: 365 days, in ms. */
const MAX_HANDLE_MS = 31_536_000_000;

/** The demo's configuration, read from flags and the environment by {@link parseDemoConfig}. */
export interface DemoConfig {
  /**
   * Which SDK serves `/mcp`: with `v2`, 2026-07-28 clients are served without sessions and
   * 2025 clients with them, on SDK v2; `/sse` stays on SDK v1 either way.
   * @default 'v1'
   */
  readonly sdk: DemoSdk;
  /** @default 3000 */
  readonly port: number;
  /** @default the manager's (30 minutes) */
  readonly idleTtlMs: number | undefined;
  /** @default the manager's (a quarter of the idle TTL) */
  readonly sweepIntervalMs: number | undefined;
  /** @default the manager's (10 000) */
  readonly maxSessions: number | undefined;
  /** @default the manager's (`'reject'`) */
  readonly capacityPolicy: 'reject' | 'evict-oldest' | undefined;
  /** Token to user. @default none: no authentication */
  readonly authTokens: Map<string, string> | undefined;
  /** @default none: sessions in memory */
  readonly redisUrl: string | undefined;
  /** @default the Redis store's (`mcps:{default}:`) */
  readonly redisPrefix: string | undefined;
  /**
   * How far ahead of the system clock this process's clock runs, in ms (tests only): the
   * manager's clock in memory, the clock the Redis store corrects to Redis's time with Redis.
   * @default 0
   */
  readonly clockOffsetMs: number;
  /** How long a basket lasts after its last use. @default 1_800_000 (30 minutes) */
  readonly handleIdleTtlMs: number;
  /** The most a basket lasts from its creation; `0`: no limit. @default 0 */
  readonly handleMaxLifetimeMs: number;
  /** How many live baskets one user may hold. @default 100 */
  readonly handleMaxPerOwner: number;
}

function invalid(source: string, value: string, accepted: string): SessionError {
  return new SessionError(
    'INVALID_OPTION',
    `Invalid ${source}: expected ${accepted}, got ${JSON.stringify(value)}.`,
  );
}

/** An integer from `min` to `max`, or `undefined` when unset; throws naming `source`. */
function readInteger(
  source: string,
  value: string | undefined,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    const accepted =
      min === 0 && max === Number.MAX_SAFE_INTEGER
        ? 'a non-negative integer'
        : `an integer from ${min} to ${max}`;
    throw invalid(source, value, accepted);
  }
  return n;
}

function unset(value: string | undefined): value is undefined {
  return value === undefined || value === '';
}

/**
 * Reads the demo's configuration; flags win over the environment, and an empty value counts as
 * unset.
 *
 * @param args the command-line arguments after the script (`process.argv.slice(2)`).
 * @param env the environment.
 * @throws SessionError `INVALID_OPTION` naming the flag and its variable, the value and what is
 *   accepted; a `TypeError` from `node:util` `parseArgs` for an unknown flag.
 */
export function parseDemoConfig(args: readonly string[], env: NodeJS.ProcessEnv): DemoConfig {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: 'string' },
      sdk: { type: 'string' },
      'idle-ttl-ms': { type: 'string' },
      'sweep-ms': { type: 'string' },
      'auth-tokens': { type: 'string' },
      'redis-prefix': { type: 'string' },
      'max-sessions': { type: 'string' },
      'capacity-policy': { type: 'string' },
      'handle-ttl-ms': { type: 'string' },
      'handle-max-lifetime-ms': { type: 'string' },
      'handle-max-per-owner': { type: 'string' },
    },
  });
  const tokenText = values['auth-tokens'] ?? env.MCP_DEMO_TOKENS;
  const redisUrl = unset(env.REDIS_URL) ? undefined : env.REDIS_URL;
  const prefixSource = '--redis-prefix / MCP_REDIS_PREFIX';
  const redisPrefix = values['redis-prefix'] ?? env.MCP_REDIS_PREFIX;
  if (
    !unset(redisPrefix) &&
    (redisPrefix.length > MAX_REDIS_PREFIX_CHARS || /\s/.test(redisPrefix))
  ) {
    throw invalid(
      prefixSource,
      redisPrefix,
      `1 to ${MAX_REDIS_PREFIX_CHARS} characters without whitespace`,
    );
  }
  if (!unset(redisPrefix) && redisUrl === undefined) {
    throw invalid(prefixSource, redisPrefix, 'no prefix unless REDIS_URL is set');
  }
  const policySource = '--capacity-policy / MCP_CAPACITY_POLICY';
  const policy = values['capacity-policy'] ?? env.MCP_CAPACITY_POLICY;
  if (!unset(policy) && policy !== 'reject' && policy !== 'evict-oldest') {
    throw invalid(policySource, policy, "'reject' or 'evict-oldest'");
  }
  const sdk = values.sdk ?? env.MCP_SDK;
  if (!unset(sdk) && !DEMO_SDKS.includes(sdk as DemoSdk)) {
    throw invalid('--sdk / MCP_SDK', sdk, "'v1' or 'v2'");
  }
  return {
    sdk: unset(sdk) ? 'v1' : (sdk as DemoSdk),
    port: readInteger('--port / PORT', values.port ?? env.PORT, 0, 65_535) ?? 3000,
    idleTtlMs: readInteger(
      '--idle-ttl-ms / MCP_SESSION_IDLE_TTL_MS',
      values['idle-ttl-ms'] ?? env.MCP_SESSION_IDLE_TTL_MS,
    ),
    sweepIntervalMs: readInteger(
      '--sweep-ms / MCP_SESSION_SWEEP_MS',
      values['sweep-ms'] ?? env.MCP_SESSION_SWEEP_MS,
    ),
    maxSessions: readInteger(
      '--max-sessions / MCP_MAX_SESSIONS',
      values['max-sessions'] ?? env.MCP_MAX_SESSIONS,
      1,
    ),
    capacityPolicy: unset(policy) ? undefined : policy,
    authTokens: unset(tokenText)
      ? undefined
      : parseAuthTokens(tokenText, '--auth-tokens / MCP_DEMO_TOKENS'),
    redisUrl,
    redisPrefix: unset(redisPrefix) ? undefined : redisPrefix,
    clockOffsetMs:
      readInteger(
        'MCP_DEMO_CLOCK_OFFSET_MS',
        env.MCP_DEMO_CLOCK_OFFSET_MS,
        -MAX_CLOCK_OFFSET_MS,
        MAX_CLOCK_OFFSET_MS,
      ) ?? 0,
    handleIdleTtlMs:
      readInteger(
        '--handle-ttl-ms / MCP_HANDLE_IDLE_TTL_MS',
        values['handle-ttl-ms'] ?? env.MCP_HANDLE_IDLE_TTL_MS,
        1,
        MAX_HANDLE_MS,
      ) ?? 1_800_000,
    handleMaxLifetimeMs:
      readInteger(
        '--handle-max-lifetime-ms / MCP_HANDLE_MAX_LIFETIME_MS',
        values['handle-max-lifetime-ms'] ?? env.MCP_HANDLE_MAX_LIFETIME_MS,
        0,
        MAX_HANDLE_MS,
      ) ?? 0,
    handleMaxPerOwner:
      readInteger(
        '--handle-max-per-owner / MCP_HANDLE_MAX_PER_OWNER',
        values['handle-max-per-owner'] ?? env.MCP_HANDLE_MAX_PER_OWNER,
        1,
      ) ?? 100,
  };
}

/**
 * The basket options the configuration sets (the store aside): TTLs, quota, the sweep interval
 * of `--sweep-ms`, and in memory the local clock (with Redis the store's clock applies).
 */
export function basketOptionsOf(config: DemoConfig): Omit<HandleKindOptions, 'name' | 'prefix'> {
  const options: Omit<HandleKindOptions, 'name' | 'prefix'> = {
    idleTtlMs: config.handleIdleTtlMs,
    maxLifetimeMs: config.handleMaxLifetimeMs,
    maxPerOwner: config.handleMaxPerOwner,
  };
  if (config.sweepIntervalMs !== undefined) options.sweepIntervalMs = config.sweepIntervalMs;
  const clock = localClockOf(config);
  if (clock !== undefined && config.redisUrl === undefined) options.clock = clock;
  return options;
}

/** A clock running `offsetMs` ahead of `Date.now()` (behind when negative). */
export function offsetClock(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs };
}

/**
 * The process's local clock: the system clock, or `MCP_DEMO_CLOCK_OFFSET_MS` ahead of it;
 * `undefined` when there is no offset.
 */
export function localClockOf(config: DemoConfig): Clock | undefined {
  return config.clockOffsetMs === 0 ? undefined : offsetClock(config.clockOffsetMs);
}

/**
 * The manager options the configuration sets (the store aside). With Redis the manager runs on
 * the store's clock (Redis's time, measured against {@link localClockOf}), so only an in-memory
 * demo gets the local clock here.
 */
export function managerOptionsOf(config: DemoConfig): SessionManagerOptions {
  const options: SessionManagerOptions = {};
  if (config.idleTtlMs !== undefined) options.idleTtlMs = config.idleTtlMs;
  if (config.sweepIntervalMs !== undefined) options.sweepIntervalMs = config.sweepIntervalMs;
  if (config.maxSessions !== undefined) options.maxSessions = config.maxSessions;
  if (config.capacityPolicy !== undefined) options.capacityPolicy = config.capacityPolicy;
  const clock = localClockOf(config);
  if (clock !== undefined && config.redisUrl === undefined) options.clock = clock;
  return options;
}
