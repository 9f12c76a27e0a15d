import { describe, expect, it } from 'vitest';
import { type SessionEndInfo, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import {
  callRequest,
  rawInitialize,
  rawPost,
  startHarness,
  toolText,
  waitFor,
} from '../support/harness.js';
import { redisClients } from '../support/redis.js';

const { node, io, scratchPrefix } = await redisClients();

describe('evict-oldest end to end over RedisStore (SDK client, 127.0.0.1)', () => {
  it('a replica at capacity never evicts a session whose GET stream is open on another replica', async () => {
    const prefix = scratchPrefix('e2e-evict');
    const clock = new ManualClock(systemClock.now());
    const managerOptions = { maxSessions: 2, capacityPolicy: 'evict-oldest' } as const;
    const a = await startHarness({
      clock,
      managerOptions,
      store: new RedisStore({ client: node, prefix }),
    });
    const b = await startHarness({
      clock,
      managerOptions,
      store: new RedisStore({ client: io, prefix }),
    });
    const ended: SessionEndInfo[] = [];
    b.sessions.on('ended', (info) => ended.push(info));

    const streaming = await a.connect();
    const streamingId = streaming.transport.sessionId!;
    await waitFor(async () => (await a.sessions.stats()).pinned === 1, 'the GET stream to open');
    clock.advance(1);
    const idle = await rawInitialize(b.mcpUrl);
    clock.advance(1);
    // The streaming session is now the least recently touched; B holds no pin of its own on it.
    const fresh = await rawInitialize(b.mcpUrl);
    expect(ended.map((e) => [e.id, e.reason])).toEqual([[idle, 'evicted']]);
    expect((await rawPost(b.mcpUrl, idle, callRequest('echo', { text: 'x' }))).status).toBe(404);
    expect(await toolText(streaming.client, 'echo', { text: 'still here' })).toBe('still here');
    expect((await b.sessions.resolve(streamingId)).status).toBe('active');
    expect((await b.sessions.resolve(fresh)).status).toBe('active');
  });
});
