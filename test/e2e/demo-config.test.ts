import { describe, expect, it } from 'vitest';
import { localClockOf, managerOptionsOf, offsetClock } from '../../examples/demo/config.js';
import { type DemoConfig, parseDemoConfig } from '../../examples/demo-server.js';
import { SessionError } from '../../src/index.js';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };

function refusal(args: string[], env: NodeJS.ProcessEnv = {}): SessionError {
  try {
    parseDemoConfig(args, env);
  } catch (error) {
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe('INVALID_OPTION');
    return error as SessionError;
  }
  throw new Error(`accepted ${JSON.stringify(args)} ${JSON.stringify(env)}`);
}

describe('demo configuration', () => {
  it('has defaults: port 3000, memory, no tokens, the manager’s own limits, no clock offset', () => {
    const config = parseDemoConfig([], {});
    expect(config).toEqual<DemoConfig>({
      sdk: 'v1',
      port: 3000,
      idleTtlMs: undefined,
      sweepIntervalMs: undefined,
      maxSessions: undefined,
      capacityPolicy: undefined,
      authTokens: undefined,
      redisUrl: undefined,
      redisPrefix: undefined,
      clockOffsetMs: 0,
      handleIdleTtlMs: 1_800_000,
      handleMaxLifetimeMs: 0,
      handleMaxPerOwner: 100,
    });
    expect(managerOptionsOf(config)).toEqual({});
  });

  it('reads --sdk before MCP_SDK, accepts v1 and v2, and refuses anything else naming both', () => {
    expect(parseDemoConfig(['--sdk', 'v2'], { MCP_SDK: 'v1' }).sdk).toBe('v2');
    expect(parseDemoConfig([], { MCP_SDK: 'v2' }).sdk).toBe('v2');
    expect(parseDemoConfig(['--sdk', 'v1'], { MCP_SDK: 'v2' }).sdk).toBe('v1');
    expect(parseDemoConfig([], { MCP_SDK: '' }).sdk).toBe('v1');
    for (const [args, env] of [
      [['--sdk', 'v3'], {}],
      [[], { MCP_SDK: 'V2' }],
      [['--sdk', '2'], { MCP_SDK: 'v2' }],
    ] as const) {
      const error = refusal([...args], env);
      expect(error.message).toContain('--sdk / MCP_SDK');
      expect(error.message).toContain("'v1' or 'v2'");
    }
  });

  it('reads flags before the environment, and an empty value as unset', () => {
    const config = parseDemoConfig(
      ['--max-sessions', '3', '--capacity-policy', 'evict-oldest', '--redis-prefix', 'a:{b}:'],
      {
        ...REDIS,
        MCP_MAX_SESSIONS: '9',
        MCP_CAPACITY_POLICY: 'reject',
        MCP_REDIS_PREFIX: 'ignored:',
        MCP_SESSION_IDLE_TTL_MS: '60000',
        MCP_SESSION_SWEEP_MS: '',
      },
    );
    expect(config).toMatchObject({
      maxSessions: 3,
      capacityPolicy: 'evict-oldest',
      redisPrefix: 'a:{b}:',
      redisUrl: REDIS.REDIS_URL,
      idleTtlMs: 60_000,
      sweepIntervalMs: undefined,
    });
    expect(parseDemoConfig([], { ...REDIS, MCP_REDIS_PREFIX: 'env:{x}:' }).redisPrefix).toBe(
      'env:{x}:',
    );
    expect(managerOptionsOf(config)).toEqual({
      maxSessions: 3,
      capacityPolicy: 'evict-oldest',
      idleTtlMs: 60_000,
    });
  });

  it('names the flag, the value and what is accepted for each bad value', () => {
    expect(refusal(['--max-sessions', '0']).message).toBe(
      'Invalid --max-sessions / MCP_MAX_SESSIONS: expected an integer from 1 to 9007199254740991, got "0".',
    );
    expect(refusal([], { MCP_CAPACITY_POLICY: 'lru' }).message).toBe(
      `Invalid --capacity-policy / MCP_CAPACITY_POLICY: expected 'reject' or 'evict-oldest', got "lru".`,
    );
    expect(refusal(['--redis-prefix', 'a b'], REDIS).message).toBe(
      'Invalid --redis-prefix / MCP_REDIS_PREFIX: expected 1 to 256 characters without whitespace, got "a b".',
    );
    expect(refusal(['--redis-prefix', 'x'.repeat(257)], REDIS).message).toContain(
      'Invalid --redis-prefix / MCP_REDIS_PREFIX',
    );
    expect(refusal([], { MCP_REDIS_PREFIX: 'app:' }).message).toBe(
      'Invalid --redis-prefix / MCP_REDIS_PREFIX: expected no prefix unless REDIS_URL is set, got "app:".',
    );
    expect(refusal(['--port', '70000']).message).toContain('--port / PORT');
    expect(refusal(['--idle-ttl-ms', '1.5']).message).toContain(
      '--idle-ttl-ms / MCP_SESSION_IDLE_TTL_MS: expected a non-negative integer',
    );
    expect(refusal([], { MCP_DEMO_CLOCK_OFFSET_MS: '86400001' }).message).toBe(
      'Invalid MCP_DEMO_CLOCK_OFFSET_MS: expected an integer from -86400000 to 86400000, got "86400001".',
    );
    expect(() => parseDemoConfig(['--no-such-flag'], {})).toThrow(/no-such-flag/);
  });

  it('runs the local clock MCP_DEMO_CLOCK_OFFSET_MS ahead (behind when negative): the manager’s in memory, the one the Redis store corrects with Redis', () => {
    const ahead = parseDemoConfig([], { MCP_DEMO_CLOCK_OFFSET_MS: '120000' });
    expect(ahead.clockOffsetMs).toBe(120_000);
    const clock = managerOptionsOf(ahead).clock!;
    const before = Date.now();
    const now = clock.now();
    expect(now - before).toBeGreaterThanOrEqual(120_000);
    expect(now - Date.now()).toBeLessThanOrEqual(120_000);
    const withRedis = parseDemoConfig([], { ...REDIS, MCP_DEMO_CLOCK_OFFSET_MS: '120000' });
    expect(managerOptionsOf(withRedis).clock).toBeUndefined();
    expect(localClockOf(withRedis)!.now() - Date.now()).toBeGreaterThan(119_000);
    expect(localClockOf(parseDemoConfig([], {}))).toBeUndefined();
    const behind = offsetClock(-5000).now() - Date.now();
    expect(behind).toBeLessThanOrEqual(-5000);
    expect(behind).toBeGreaterThan(-6000);
  });
});
