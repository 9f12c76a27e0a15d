import { describe, expect, it } from 'vitest';
import { untilPinned } from '../support/harness.js';
import { endedWith, openRawStream, ping, post, startSse } from '../support/sse-harness.js';

describe('legacy SSE: a closed stream ends its session', () => {
  it('frees capacity at once: N streams opened and closed, then a new stream opens (200, not 503)', async () => {
    const h = await startSse({ maxSessions: 3 });
    const closed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const stream = await openRawStream(h);
      closed.push(stream.sessionId);
      stream.res.destroy();
    }
    await untilPinned(h.manager, 0);
    // No time passed and no sweep ran: the slots freed when the streams closed.
    const fresh = await openRawStream(h);
    expect(fresh.res.statusCode).toBe(200);
    for (const id of closed) {
      const end = await endedWith(h, id);
      expect(end.reason).toBe('deleted');
      expect(h.counts.serversClosed.has(id)).toBe(true);
    }
    expect((await h.manager.stats()).live).toBe(1);
    expect(h.handler.size).toBe(1);
    // A POST naming a closed stream's session answers the 404 of a session the client ended.
    const answer = await post(h, `?sessionId=${closed[0]}`, ping);
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-session-expired-reason')).toBe('deleted');
    expect(answer.json.error.data).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'deleted' });
  });
});
