import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  isResponse,
  replicaOfResponse,
  tagId,
  tagOutgoing,
  untagId,
  untagResponse,
} from '../../src/adapters/streamable-http/request-tags.js';

describe('request tags', () => {
  it('tag server request IDs with the replica, reversibly, keeping numbers and strings apart', () => {
    expect(tagId('r-1', 7)).toBe('r-1.n.7');
    expect(tagId('r-1', '7')).toBe('r-1.s.7');
    expect(tagId('r_2', 'a.b')).toBe('r_2.s.a.b');
    expect(untagId('r-1.n.7')).toEqual({ replica: 'r-1', id: 7 });
    expect(untagId('r-1.s.7')).toEqual({ replica: 'r-1', id: '7' });
    expect(untagId('r_2.s.a.b')).toEqual({ replica: 'r_2', id: 'a.b' });
    expect(untagId('r.s.')).toEqual({ replica: 'r', id: '' });
    for (const plain of [7, 'plain', '.n.1', 'r.x.1', 'r.n.', 'r.n.1.5', 'r.n', null]) {
      expect(untagId(plain)).toBeUndefined();
    }
  });

  it('tag outgoing requests and cancellations only', () => {
    const request = { jsonrpc: '2.0', id: 3, method: 'roots/list' } as JSONRPCMessage;
    expect(tagOutgoing('A', request)).toEqual({
      jsonrpc: '2.0',
      id: 'A.n.3',
      method: 'roots/list',
    });
    const cancel = {
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 3, reason: 'gone' },
    } as JSONRPCMessage;
    expect(tagOutgoing('A', cancel)).toEqual({
      ...cancel,
      params: { requestId: 'A.n.3', reason: 'gone' },
    });
    const note = { jsonrpc: '2.0', method: 'notifications/message', params: {} } as JSONRPCMessage;
    expect(tagOutgoing('A', note)).toBe(note);
    const answer = { jsonrpc: '2.0', id: 3, result: {} } as JSONRPCMessage;
    expect(tagOutgoing('A', answer)).toBe(answer);
  });

  it('read the replica of a client answer and untag it', () => {
    const answer = { jsonrpc: '2.0', id: 'B.n.4', result: { ok: true } };
    expect(isResponse(answer)).toBe(true);
    expect(isResponse({ jsonrpc: '2.0', id: 'B.n.4', error: { code: 1, message: 'x' } })).toBe(
      true,
    );
    expect(isResponse({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBe(false);
    expect(isResponse([answer])).toBe(false);
    expect(replicaOfResponse(answer)).toBe('B');
    expect(replicaOfResponse({ jsonrpc: '2.0', id: 4, result: {} })).toBeUndefined();
    expect(untagResponse(answer)).toEqual({ jsonrpc: '2.0', id: 4, result: { ok: true } });
    const plain = { jsonrpc: '2.0', id: 4, result: {} };
    expect(untagResponse(plain)).toBe(plain);
  });
});
