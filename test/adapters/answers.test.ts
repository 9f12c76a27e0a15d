import { describe, expect, it } from 'vitest';
import {
  answerForError,
  answerForResolution,
  badRequest,
  serviceUnavailable,
  sessionNotFound,
} from '../../src/adapters/shared/answers.js';
import { KEEP_ALIVE_FRAME } from '../../src/adapters/sse/index.js';
import { SessionError } from '../../src/index.js';
import { EXPOSED_HEADERS, requestIdOf } from '../../src/protocol.js';

describe('HTTP answers', () => {
  it('404 for an ended session carries the reason, endedAt and expiry headers', () => {
    const answer = sessionNotFound(
      { id: 's', reason: 'idle', endedAt: Date.UTC(2026, 0, 2, 3, 4, 5) },
      7,
    );
    expect(answer.status).toBe(404);
    expect(answer.headers['x-session-expired']).toBe('true');
    expect(answer.headers['x-session-expired-reason']).toBe('idle');
    expect(JSON.parse(answer.body)).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32001,
        message: 'Session not found',
        data: { code: 'SESSION_EXPIRED', reason: 'idle', endedAt: '2026-01-02T03:04:05.000Z' },
      },
      id: 7,
    });
  });

  it('404 for an unknown session is the same for every ID and has no expiry headers', () => {
    const a = answerForResolution({ status: 'unknown' });
    const b = sessionNotFound(undefined);
    expect(a).toEqual(b);
    expect(b.headers).not.toHaveProperty('x-session-expired');
    expect(JSON.parse(b.body).error.data).toEqual({ code: 'SESSION_NOT_FOUND' });
    // An active resolution has no 404: the type refuses it.
    // @ts-expect-error
    answerForResolution({ status: 'active', session: { id: 'x', createdAt: 0, lastSeenAt: 0 } });
  });

  it('maps errors to 400, 503 with Retry-After, or 500', () => {
    expect(answerForError(new SessionError('INVALID_SESSION_ID', 'bad id'), 'r1')).toMatchObject({
      status: 400,
    });
    expect(JSON.parse(badRequest('nope', 3).body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'nope' },
      id: 3,
    });
    for (const code of ['CAPACITY', 'STORE_UNAVAILABLE', 'CLOSED'] as const) {
      const answer = answerForError(new SessionError(code, code), null, 2.5);
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('3');
    }
    expect(serviceUnavailable('x', 0).headers['retry-after']).toBe('1');
    const internal = answerForError(new Error('secret detail'));
    expect(internal.status).toBe(500);
    expect(internal.body).not.toContain('secret');
  });

  it('exposes the session and expiry headers for CORS', () => {
    expect([...EXPOSED_HEADERS]).toEqual([
      'mcp-session-id',
      'mcp-protocol-version',
      'x-session-expired',
      'x-session-expired-reason',
    ]);
    expect(KEEP_ALIVE_FRAME).toBe(': keepalive\n\n');
  });

  it('echoes the JSON-RPC id of a single request only', () => {
    expect(requestIdOf({ jsonrpc: '2.0', id: 5, method: 'x' })).toBe(5);
    expect(requestIdOf({ jsonrpc: '2.0', id: 'a', method: 'x' })).toBe('a');
    expect(requestIdOf({ jsonrpc: '2.0', method: 'notify' })).toBeNull();
    expect(requestIdOf([{ id: 1 }])).toBeNull();
    expect(requestIdOf('garbage')).toBeNull();
  });
});
