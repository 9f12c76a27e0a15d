import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  callRequest,
  errorData,
  httpError,
  initializeRequest,
  postHeaders,
  rawInitialize,
  rawPost,
  sessionEnd,
  startHarness,
  toolText,
  untilPinned,
  waitFor,
} from '../support/harness.js';

const TTL = 200;
const SHORT_TTL = { idleTtlMs: TTL };

describe('Streamable HTTP end to end (SDK client over 127.0.0.1)', () => {
  it('creates sessions, calls tools and keeps per-session state apart', async () => {
    const h = await startHarness();
    const a = await h.connect();
    const b = await h.connect();
    expect(a.transport.sessionId).toBeDefined();
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    expect(await toolText(a.client, 'echo', { text: 'hi' })).toBe('hi');
    expect(await toolText(a.client, 'counter')).toBe('1');
    expect(await toolText(a.client, 'counter')).toBe('2');
    expect(await toolText(b.client, 'counter')).toBe('1');
    expect(await toolText(a.client, 'counter')).toBe('3');
    const stats = await h.sessions.stats();
    expect(stats.live).toBe(2);
    expect(stats.created).toBe(2);
    expect(h.demo.handler.size).toBe(2);
    const session = await h.sessions.resolve(a.transport.sessionId!);
    expect(session.status === 'active' && session.session.kind).toBe('streamable-http');
  });

  it('answers 404 SESSION_EXPIRED with reason idle after the idle TTL (raw HTTP)', async () => {
    const h = await startHarness({ managerOptions: SHORT_TTL });
    const id = await rawInitialize(h.mcpUrl);
    expect((await rawPost(h.mcpUrl, id, callRequest('counter'))).status).toBe(200);
    expect(await h.passTime(TTL - 1)).toBe(0);
    expect((await h.sessions.resolve(id)).status).toBe('active');
    const ended = sessionEnd(h.sessions, id);
    expect(await h.passTime(1)).toBe(1);
    expect((await ended).reason).toBe('idle');
    expect((await h.sessions.resolve(id)).status).toBe('ended');
    const answer = await rawPost(h.mcpUrl, id, callRequest('counter', {}, 9));
    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-session-expired')).toBe('true');
    expect(answer.headers.get('x-session-expired-reason')).toBe('idle');
    expect((answer.json as { id: unknown }).id).toBe(9);
    expect(errorData(answer.json)).toMatchObject({ code: 'SESSION_EXPIRED', reason: 'idle' });
    expect(h.demo.handler.size).toBe(0);
    expect(h.counts.transportsClosed).toBe(1);
  });

  it('ends an SDK client’s session by idle once the client is gone; the client then sees 404 expired', async () => {
    const h = await startHarness({ managerOptions: SHORT_TTL });
    const first = await h.connect();
    const id = first.transport.sessionId!;
    // The client's GET stream pins the session: it outlives the TTL while the client is there.
    await untilPinned(h.sessions, 1);
    expect(await h.passTime(TTL * 2)).toBe(0);
    expect((await h.sessions.resolve(id)).status).toBe('active');
    await first.client.close();
    await untilPinned(h.sessions, 0);
    const ended = sessionEnd(h.sessions, id);
    expect(await h.passTime(TTL)).toBe(1);
    expect((await ended).reason).toBe('idle');
    expect((await h.sessions.resolve(id)).status).toBe('ended');
    const again = await h.connect(id);
    const error = await httpError(toolText(again.client, 'counter'));
    expect(error.code).toBe(404);
    expect(error.message).toContain('SESSION_EXPIRED');
    expect(error.message).toContain('"reason":"idle"');
  });

  it('answers SESSION_NOT_FOUND to an unknown session ID', async () => {
    const h = await startHarness();
    const { client } = await h.connect(randomUUID());
    const error = await httpError(toolText(client, 'echo', { text: 'x' }));
    expect(error.code).toBe(404);
    expect(error.message).toContain('SESSION_NOT_FOUND');
    expect(h.counts.servers).toBe(0);
  });

  it('DELETE ends the session (reason deleted) and closes its transport and server', async () => {
    const h = await startHarness();
    const { client, transport } = await h.connect();
    const id = transport.sessionId!;
    expect(await toolText(client, 'counter')).toBe('1');
    await transport.terminateSession();
    const resolution = await h.sessions.resolve(id);
    expect(resolution.status === 'ended' && resolution.tombstone.reason).toBe('deleted');
    await waitFor(() => h.counts.serversClosed === 1, 'the server to close');
    expect(h.counts.transportsClosed).toBe(1);
    expect(h.demo.handler.size).toBe(0);
    const again = await h.connect(id);
    const error = await httpError(toolText(again.client, 'counter'));
    expect(error.code).toBe(404);
    expect(error.message).toContain('SESSION_EXPIRED');
    expect(error.message).toContain('"reason":"deleted"');
  });

  it('does not cut a tool call longer than the idle TTL, and the session survives it', async () => {
    const h = await startHarness({ managerOptions: SHORT_TTL });
    const id = await rawInitialize(h.mcpUrl);
    const held = rawPost(h.mcpUrl, id, callRequest('hold'));
    await h.latch.arrivals(1);
    // The call is in flight while more than three idle TTLs pass and the sweeper runs.
    expect(await h.passTime(TTL * 3 + 100)).toBe(0);
    expect((await h.sessions.resolve(id)).status).toBe('active');
    h.latch.open();
    const answered = await held;
    expect(answered.status).toBe(200);
    expect(JSON.stringify(answered.json)).toContain('"text":"held"');
    const after = await rawPost(h.mcpUrl, id, callRequest('counter'));
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.json)).toContain('"text":"1"');
    const { client } = await h.connect();
    expect(await toolText(client, 'hold')).toBe('held');
  });

  it('keeps a session alive while its GET stream is open, and idles it out after the stream closes', async () => {
    const h = await startHarness({ managerOptions: SHORT_TTL });
    const id = await rawInitialize(h.mcpUrl);
    const stream = new AbortController();
    const get = await fetch(h.mcpUrl, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': id },
      signal: stream.signal,
    });
    expect(get.status).toBe(200);
    await untilPinned(h.sessions, 1);
    expect(await h.passTime(TTL * 4)).toBe(0);
    expect((await h.sessions.resolve(id)).status).toBe('active');
    expect((await h.sessions.stats()).pinned).toBe(1);
    stream.abort();
    await get.body?.cancel().catch(() => undefined);
    await untilPinned(h.sessions, 0);
    const ended = sessionEnd(h.sessions, id);
    expect(await h.passTime(TTL)).toBe(1);
    expect((await ended).reason).toBe('idle');
    const answer = await rawPost(h.mcpUrl, id, callRequest('counter'));
    expect(answer.status).toBe(404);
    expect(errorData(answer.json)).toMatchObject({ reason: 'idle' });
  });

  it('answers 503 with Retry-After at capacity', async () => {
    const h = await startHarness({ managerOptions: { maxSessions: 1 } });
    await h.connect();
    const error = await httpError(h.connect());
    expect(error.code).toBe(503);
    const raw = await fetch(h.mcpUrl, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(initializeRequest()),
    });
    expect(raw.status).toBe(503);
    expect(raw.headers.get('retry-after')).toBe('5');
    await raw.text();
    expect(h.counts.servers).toBe(1);
  });

  it('closes every transport and server on shutdown, with no socket or timer left', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const h = await startHarness();
    const { client } = await h.connect();
    await h.connect();
    expect(await toolText(client, 'echo', { text: 'x' })).toBe('x');
    const counts = await h.close();
    expect(counts.servers).toBe(2);
    expect(counts.transportsClosed).toBe(2);
    expect(counts.serversClosed).toBe(2);
    expect(h.demo.handler.size).toBe(0);
    expect(h.demo.http.listening).toBe(false);
    expect(h.sessions.closed).toBe(true);
    const leftovers = () =>
      process
        .getActiveResourcesInfo()
        .filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap');
    await waitFor(
      () =>
        process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length <= before &&
        leftovers().length === 0,
      'timers and sockets to be released',
    );
    expect(leftovers()).toEqual([]);
  });
});
