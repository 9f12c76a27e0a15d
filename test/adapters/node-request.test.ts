import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { toWebRequest } from '../../src/adapters/shared/node-bridge.js';

/** A node:http request as the server hands it over, before any body is read. */
function nodeRequest(method: string, url: string, rawHeaders: string[]): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    headers[rawHeaders[i]!.toLowerCase()] = rawHeaders[i + 1]!;
  }
  return { method, url, rawHeaders, headers, socket: new Socket() } as unknown as IncomingMessage;
}

describe('toWebRequest', () => {
  const req = nodeRequest('POST', '/mcp?x=1', [
    'Host',
    '127.0.0.1:3000',
    'Content-Type',
    'application/json',
    'X-User',
    'carol',
  ]);

  it('answers a Request with the method, URL and headers of the node request', () => {
    const request = toWebRequest(req);
    expect(request).toBeInstanceOf(Request);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('http://127.0.0.1:3000/mcp?x=1');
    expect(request.headers).toBeInstanceOf(Headers);
    expect(request.headers.get('x-user')).toBe('carol');
    expect(request.headers.get('content-type')).toBe('application/json');
  });

  it('serves every other Request member from a real Request made on first use', async () => {
    const request = toWebRequest(req);
    expect(request.signal).toBeInstanceOf(AbortSignal);
    expect(request.signal).toBe(request.signal);
    expect(request.mode).toBe('cors');
    expect(request.bodyUsed).toBe(false);
    const copy = request.clone();
    expect(copy).toBeInstanceOf(Request);
    expect(copy.url).toBe(request.url);
    expect(copy.headers.get('x-user')).toBe('carol');
    await expect(request.text()).resolves.toBe('');
    expect(Object.keys(request).sort()).toEqual(['headers', 'method', 'url']);
  });

  it('refuses a Host that forms no URL with INVALID_ARGUMENT', () => {
    const bad = nodeRequest('GET', '/mcp', ['Host', 'exa mple']);
    expect(() => toWebRequest(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
