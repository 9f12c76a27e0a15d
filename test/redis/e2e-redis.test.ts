import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import {
  callRequest,
  errorData,
  type Harness,
  type HarnessOptions,
  httpError,
  initializeRequest,
  rawInitialize,
  rawPost,
  sessionEnd,
  startHarness,
  toolText,
} from '../support/harness.js';
import { ioRedis, redisClients } from '../support/redis.js';

const { node, io, side, scratchPrefix } = await redisClients();
const TTL = 300;
const SHORT_TTL = { idleTtlMs: TTL };

/**
 * Two replicas (node-redis and ioredis) of the demo server over one Redis prefix, on one manual
 * clock (replicas agree on time); answers them and the prefix.
 */
async function replicas(
  options: Omit<HarnessOptions, 'store' | 'clock'> = {},
): Promise<[Harness, Harness, string]> {
  const prefix = scratchPrefix('e2e');
  const clock = new ManualClock(systemClock.now());
  const a = await startHarness({
    ...options,
    clock,
    store: new RedisStore({ client: node, prefix }),
  });
  const b = await startHarness({
    ...options,
    clock,
    store: new RedisStore({ client: io, prefix }),
  });
  return [a, b, prefix];
}

describe('Streamable HTTP end to end over RedisStore (SDK client, 127.0.0.1)', () => {
  it('creates sessions, calls tools, and keeps the record in Redis', async () => {
    const [a, , prefix] = await replicas();
    const one = await a.connect();
    const two = await a.connect();
    expect(await toolText(one.client, 'echo', { text: 'hi' })).toBe('hi');
    expect(await toolText(one.client, 'counter')).toBe('1');
    expect(await toolText(one.client, 'counter')).toBe('2');
    expect(await toolText(two.client, 'counter')).toBe('1');
    const id = one.transport.sessionId!;
    expect(await side.exists(`${prefix}s:${id}`)).toBe(1);
    const resolved = await a.sessions.resolve(id);
    expect(resolved.status === 'active' && resolved.session.kind).toBe('streamable-http');
    expect(resolved.status === 'active' && JSON.parse(resolved.session.init!)).toMatchObject({
      method: 'initialize',
    });
    expect(await a.sessions.count()).toBe(2);
  });

  it('a session initialized on one replica is served by the other', async () => {
    const [a, b] = await replicas();
    const first = await a.connect();
    const id = first.transport.sessionId!;
    expect(await toolText(first.client, 'counter')).toBe('1');
    const moved = await b.connect(id);
    expect(await toolText(moved.client, 'echo', { text: 'elsewhere' })).toBe('elsewhere');
    expect(b.demo.handler.size).toBe(1);
    expect(await b.sessions.count()).toBe(1);
  });

  it('an idle session answers 404 SESSION_EXPIRED (idle) on both replicas', async () => {
    const [a, b] = await replicas({ managerOptions: SHORT_TTL });
    const id = await rawInitialize(a.mcpUrl);
    expect((await rawPost(a.mcpUrl, id, callRequest('counter'))).status).toBe(200);
    expect(await a.passTime(TTL - 1)).toBe(0);
    expect(await b.sessions.sweep()).toBe(0);
    const ended = sessionEnd(a.sessions, id);
    expect(await a.passTime(1)).toBe(1);
    expect((await ended).reason).toBe('idle');
    for (const h of [a, b]) {
      const answer = await rawPost(h.mcpUrl, id, callRequest('counter', {}, 7));
      expect(answer.status).toBe(404);
      expect(answer.headers.get('x-session-expired-reason')).toBe('idle');
      expect(errorData(answer.json)).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'idle' });
    }
    expect(a.demo.handler.size).toBe(0);
  });

  it('DELETE on one replica ends the session for the other', async () => {
    const [a, b] = await replicas();
    const { client, transport } = await a.connect();
    const id = transport.sessionId!;
    expect(await toolText(client, 'counter')).toBe('1');
    await transport.terminateSession();
    const again = await b.connect(id);
    const error = await httpError(toolText(again.client, 'counter'));
    expect(error.code).toBe(404);
    expect(error.message).toContain('SESSION_EXPIRED');
    expect(error.message).toContain('"reason":"deleted"');
  });

  it('a tool call longer than the idle TTL is not cut, and the session survives it', async () => {
    const [a, b] = await replicas({ managerOptions: SHORT_TTL });
    const id = await rawInitialize(a.mcpUrl);
    const slow = rawPost(a.mcpUrl, id, callRequest('hold'));
    await a.latch.arrivals(1);
    // Three idle TTLs pass while the call is in flight; A renews its lease at each of its sweeps.
    for (let i = 0; i < 6; i++) {
      expect(await a.passTime(TTL / 2)).toBe(0);
      expect(await b.sessions.sweep()).toBe(0);
    }
    a.latch.open();
    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(JSON.stringify(answered.json)).toContain('"text":"held"');
    expect((await b.sessions.resolve(id)).status).toBe('active');
  });

  it('answers 503 with Retry-After while Redis cannot be reached, and nothing ends', async () => {
    const prefix = scratchPrefix('e2e-down');
    const client = await ioRedis();
    const h = await startHarness({ store: new RedisStore({ client, prefix }) });
    const id = await rawInitialize(h.mcpUrl);
    client.disconnect();
    const answer = await rawPost(h.mcpUrl, id, callRequest('counter'));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).not.toBeNull();
    const fresh = await rawPost(h.mcpUrl, undefined, initializeRequest());
    expect(fresh.status).toBe(503);
    expect(await side.exists(`${prefix}s:${id}`)).toBe(1);
    await client.connect();
    expect((await rawPost(h.mcpUrl, id, callRequest('counter'))).status).toBe(200);
    const counts = await h.close();
    expect(counts.serversClosed).toBe(counts.servers);
    client.disconnect();
  });
});
