import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import {
  badRequest,
  serviceUnavailable,
  sessionNotFound,
} from '../../src/adapters/shared/answers.js';
import { parseSessionNotFound } from '../../src/client/index.js';

const ENDED_AT = Date.UTC(2025, 5, 1, 12, 0, 0);

/** The error the SDK's Streamable HTTP client throws for a failed POST. */
function streamableError(status: number, body: string): StreamableHTTPError {
  return new StreamableHTTPError(status, `Error POSTing to endpoint: ${body}`);
}

/** The error the SDK's legacy SSE client throws for a failed POST. */
function sseError(status: number, body: string): Error {
  return new Error(`Error POSTing to endpoint (HTTP ${status}): ${body}`);
}

describe('parseSessionNotFound', () => {
  const expired = sessionNotFound({ id: 'abc', reason: 'idle', endedAt: ENDED_AT }, 7).body;
  const unknown = sessionNotFound(undefined).body;

  it.each([
    ['Streamable HTTP', streamableError],
    ['legacy SSE', sseError],
  ] as const)('reads an expired session with reason and end time (%s)', (_, make) => {
    expect(parseSessionNotFound(make(404, expired))).toEqual({
      status: 404,
      code: 'SESSION_EXPIRED',
      reason: 'idle',
      endedAt: ENDED_AT,
    });
  });

  it.each([
    ['Streamable HTTP', streamableError],
    ['legacy SSE', sseError],
  ] as const)('reads an unknown session without reason or end time (%s)', (_, make) => {
    expect(parseSessionNotFound(make(404, unknown))).toEqual({
      status: 404,
      code: 'SESSION_NOT_FOUND',
    });
  });

  it('ignores the same body under another status', () => {
    expect(parseSessionNotFound(streamableError(400, unknown))).toBeUndefined();
    expect(parseSessionNotFound(sseError(500, expired))).toBeUndefined();
  });

  it('ignores 404s that are not session answers', () => {
    const sdkOwn = JSON.stringify({
      jsonrpc: '2.0',
      error: { code: -32001, message: 'Session not found' },
      id: null,
    });
    const otherCode = JSON.stringify({
      jsonrpc: '2.0',
      error: { code: -32001, message: 'x', data: { code: 'SOMETHING_ELSE' } },
      id: null,
    });
    const otherRpcCode = JSON.stringify({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'x', data: { code: 'SESSION_NOT_FOUND' } },
      id: null,
    });
    for (const body of ['Not Found', sdkOwn, otherCode, otherRpcCode, '{not json', '[1,2]']) {
      expect(parseSessionNotFound(streamableError(404, body))).toBeUndefined();
    }
    expect(parseSessionNotFound(streamableError(404, badRequest('bad').body))).toBeUndefined();
    expect(
      parseSessionNotFound(streamableError(404, serviceUnavailable('busy', 1).body)),
    ).toBeUndefined();
  });

  it('answers undefined for values that are not errors', () => {
    for (const value of [undefined, null, 404, expired, { code: 404, message: expired }]) {
      expect(parseSessionNotFound(value)).toBeUndefined();
    }
  });

  it('keeps a reason it does not know and drops an unreadable end time', () => {
    const body = JSON.stringify({
      jsonrpc: '2.0',
      error: {
        code: -32001,
        message: 'Session not found',
        data: { code: 'SESSION_EXPIRED', reason: 'maintenance', endedAt: 'yesterday' },
      },
      id: null,
    });
    expect(parseSessionNotFound(streamableError(404, body))).toEqual({
      status: 404,
      code: 'SESSION_EXPIRED',
      reason: 'maintenance',
    });
  });
});
