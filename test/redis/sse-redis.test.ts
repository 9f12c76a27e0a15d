import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { toolText, untilPinned } from '../support/harness.js';
import { redisClients } from '../support/redis.js';
import {
  connectSse,
  endedWith,
  openRawStream,
  passTime,
  ping,
  post,
  type SseHarness,
  startSse,
} from '../support/sse-harness.js';
import { waitFor } from '../support/wait.js';

// Fails (never skips) when the Redis at REDIS_URL is unreachable.
const { node, io, scratchPrefix } = await redisClients();

const TTL = 300;

/**
 * Two replicas (node-redis and ioredis) on one Redis prefix and one manual clock; no sweeper runs
 * on its own. Once both are closed, no key is left under the prefix.
 */
async function twoReplicas(): Promise<[SseHarness, SseHarness]> {
  const prefix = scratchPrefix('sse');
  const clock = new ManualClock(systemClock.now());
  const replica = (client: typeof node | typeof io) =>
    startSse({ store: new RedisStore({ client, prefix }), idleTtlMs: TTL }, {}, { clock });
  return [await replica(node), await replica(io)];
}

/** `ping` to `r` for session `sessionId`. */
function pingOn(r: SseHarness, sessionId: string) {
  return post(r, `?sessionId=${sessionId}`, ping);
}

describe('legacy HTTP+SSE over a shared Redis store', () => {
  it('serves a session on the replica holding its stream, and keeps it while the stream is open', async () => {
    const [a, b] = await twoReplicas();
    const { client, sessionId } = await connectSse(a);
    expect(await toolText(client, 'counter')).toBe('1');
    // Both replicas see the session (kind 'sse'); only A holds its stream.
    const seen = await b.manager.resolve(sessionId);
    expect(seen.status === 'active' && seen.session.kind).toBe('sse');
    const elsewhere = await pingOn(b, sessionId);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.json.error.message).toContain('another server process');
    // The open stream keeps the session alive across several idle TTLs (A renews its pin).
    await untilPinned(a.manager, 1);
    for (let i = 0; i < 6; i++) {
      expect(await passTime(a, TTL / 2)).toBe(0);
      expect(await b.manager.sweep()).toBe(0);
    }
    expect(a.ended).toEqual([]);
    expect(b.ended).toEqual([]);
    expect(await toolText(client, 'counter')).toBe('2');
  });

  it('ends a session as soon as its stream closes, fleet-wide, closing its transport on the replica that held it', async () => {
    const [a, b] = await twoReplicas();
    const stream = await openRawStream(a);
    const { sessionId } = stream;
    expect((await pingOn(a, sessionId)).status).toBe(202);
    stream.res.destroy();
    // Legacy SSE has no resumption: the stream was the session, so its close ends it at once.
    expect((await endedWith(a, sessionId)).reason).toBe('deleted');
    await waitFor(() => a.counts.serversClosed.has(sessionId), 'the server to close on A');
    await untilPinned(a.manager, 0);
    expect(a.handler.size).toBe(0);
    expect(await b.manager.sweep()).toBe(0);
    expect([...a.ended, ...b.ended].map((e) => e.reason)).toEqual(['deleted']);
    for (const r of [a, b]) {
      const gone = await pingOn(r, sessionId);
      expect(gone.status).toBe(404);
      expect(gone.headers.get('x-session-expired-reason')).toBe('deleted');
      expect(gone.json.error.data?.code).toBe('SESSION_EXPIRED');
    }
  });
});
