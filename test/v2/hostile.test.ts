import { describe, expect, it } from 'vitest';
import { type Mount, startV2 } from './harness.js';

const META = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'hostile', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

const JSON_HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
};

interface Shot {
  readonly name: string;
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

const post = (name: string, body: unknown, headers: Record<string, string> = {}): Shot => ({
  name,
  method: 'POST',
  headers: { ...JSON_HEADERS, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const MODERN = { 'mcp-protocol-version': '2026-07-28' };

/** Requests no client should send; none may be answered 5xx or create a session. */
const SHOTS: readonly Shot[] = [
  post('not JSON', '{"jsonrpc":'),
  {
    name: 'not declared JSON',
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '{}',
  },
  post('too large', { jsonrpc: '2.0', id: 1, method: 'x', params: { pad: 'x'.repeat(4096) } }),
  post('null', null),
  post('a string', 'str'),
  post('a number', 42),
  post('an empty batch', []),
  post('an empty object', {}),
  post('a claim of an unknown version', {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/list',
    params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
  }),
  post('a claim that is not a string', {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/list',
    params: { _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': 42 } },
  }),
  post(
    'a modern header without the envelope',
    { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    MODERN,
  ),
  post(
    'a header and body that disagree',
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } },
    { ...MODERN, 'mcp-method': 'prompts/list' },
  ),
  post(
    'a modern call of an unknown tool',
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'nope', arguments: {}, _meta: META },
    },
    { ...MODERN, 'mcp-method': 'tools/call', 'mcp-name': 'nope' },
  ),
  post(
    'a modern batch',
    [{ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } }],
    { ...MODERN, 'mcp-method': 'tools/list' },
  ),
  post(
    'a modern request with a session header',
    { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } },
    { ...MODERN, 'mcp-method': 'tools/list', 'mcp-session-id': 'not-a-session' },
  ),
  {
    name: 'a GET claiming the modern era',
    method: 'GET',
    headers: { ...MODERN, accept: 'text/event-stream' },
  },
  { name: 'a DELETE without a session', method: 'DELETE' },
  { name: 'a PATCH', method: 'PATCH', headers: JSON_HEADERS, body: '{}' },
];

const MOUNTS: readonly Mount[] = ['node', 'fetch'];

describe.each(MOUNTS)('mcp-sessions/v2 under hostile requests (%s door)', (mount) => {
  it('answers every one with a 2xx or 4xx and creates no session', async () => {
    const v2 = await startV2({ mount, handlerOptions: { maxRequestBodySize: 1024 } });
    const statuses: Record<string, number> = {};
    for (const shot of SHOTS) {
      const response = await fetch(v2.url, {
        method: shot.method,
        headers: shot.headers ?? {},
        ...(shot.body === undefined ? {} : { body: shot.body }),
      });
      await response.text();
      statuses[shot.name] = response.status;
    }
    const failed = Object.entries(statuses).filter(([, status]) => status >= 500);
    expect(failed).toEqual([]);
    expect(statuses['not JSON']).toBe(400);
    expect(statuses['not declared JSON']).toBe(415);
    expect(statuses['too large']).toBe(413);
    expect(statuses['a claim of an unknown version']).toBe(400);
    expect(statuses['a PATCH']).toBe(405);
    expect((await v2.sessions.stats()).created).toBe(0);
  });
});
