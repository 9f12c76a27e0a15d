import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { ownerFromAuth } from '../../src/adapters/shared/owner.js';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { resolveSseGateOptions } from '../../src/adapters/sse/options.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { resolveGateOptions } from '../../src/adapters/streamable-http/options.js';
import { SessionManager } from '../../src/index.js';
import { callRequest, postHeaders } from '../support/harness.js';

/** What the test's auth middleware puts on `req.auth` for each bearer token. */
const TOKENS: Record<string, AuthInfo> = {
  alice: { token: 'alice', clientId: 'app', scopes: [], extra: { sub: 'alice' } },
  bob: { token: 'bob', clientId: 'app', scopes: [], extra: { sub: 'bob' } },
  app: { token: 'app', clientId: 'app', scopes: [] },
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Both handlers behind an auth middleware on 127.0.0.1, each with a logger that records warnings. */
async function start() {
  const sessions = new SessionManager({ autoStart: false });
  const warnings: string[] = [];
  const created: string[] = [];
  sessions.on('created', (session) => created.push(session.id));
  const logger = { warn: (message: string) => warnings.push(message) };
  const handler = new StreamableHttpHandler({ sessions, createServer: createDemoServer, logger });
  const legacy = new SseHandler({ sessions, createServer: createDemoServer, logger });
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const authInfo = token === undefined ? undefined : TOKENS[token];
    if (authInfo !== undefined) (req as { auth?: AuthInfo }).auth = authInfo;
    const path = (req.url ?? '/').split('?', 1)[0];
    void (path === '/mcp' ? handler.node(req, res) : legacy.node(req, res));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clients: Client[] = [];
  cleanups.push(async () => {
    for (const client of clients) await client.close();
    await handler.close();
    await legacy.close();
    await sessions.close();
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  const headers = (token?: string): Record<string, string> =>
    token === undefined ? {} : { authorization: `Bearer ${token}` };
  return {
    url,
    sessions,
    warnings,
    async streamable(token?: string) {
      const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), {
        requestInit: { headers: headers(token) },
      });
      const client = new Client({ name: 'owner-test', version: '1.0.0' });
      clients.push(client);
      await client.connect(transport);
      return { client, sessionId: transport.sessionId! };
    },
    async sse(token?: string) {
      const before = created.length;
      const client = new Client({ name: 'owner-test', version: '1.0.0' });
      clients.push(client);
      await client.connect(
        new SSEClientTransport(new URL('/sse', url), { requestInit: { headers: headers(token) } }),
      );
      expect(created.length).toBe(before + 1);
      return { client, sessionId: created[created.length - 1]! };
    },
    headers,
  };
}

async function notFoundCode(response: Response): Promise<unknown> {
  expect(response.status).toBe(404);
  const body = (await response.json()) as { error: { data: { code: string } } };
  return body.error.data.code;
}

describe('default owner: the client ID plus the token subject', () => {
  it('keeps two users of one client app apart on Streamable HTTP', async () => {
    const h = await start();
    const alice = await h.streamable('alice');
    const bob = await h.streamable('bob');
    const text = async (client: Client) =>
      (
        (await client.callTool({ name: 'counter', arguments: {} })) as {
          content: { text: string }[];
        }
      ).content[0]!.text;
    expect(await text(alice.client)).toBe('1');
    expect(await text(bob.client)).toBe('1');
    expect(alice.sessionId).not.toBe(bob.sessionId);

    const asBob = await fetch(new URL('/mcp', h.url), {
      method: 'POST',
      headers: { ...postHeaders(alice.sessionId), ...h.headers('bob') },
      body: JSON.stringify(callRequest('counter')),
    });
    expect(await notFoundCode(asBob)).toBe('SESSION_NOT_FOUND');
    // Bob's own session is untouched by the attempt, and Alice's still answers her.
    expect(await text(alice.client)).toBe('2');
    expect(h.warnings).toEqual([]);
  });

  it('keeps two users of one client app apart on legacy SSE', async () => {
    const h = await start();
    const alice = await h.sse('alice');
    expect(alice.sessionId).not.toBe('');
    const asBob = await fetch(new URL(`/messages?sessionId=${alice.sessionId}`, h.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.headers('bob') },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
    });
    expect(await notFoundCode(asBob)).toBe('SESSION_NOT_FOUND');
    expect(await alice.client.ping()).toEqual({});
    expect(h.warnings).toEqual([]);
  });

  it('warns once per handler when auth carries no subject, never without auth', async () => {
    const h = await start();
    await h.streamable();
    await h.sse();
    expect(h.warnings).toEqual([]);

    await h.streamable('app');
    await h.streamable('app');
    expect(h.warnings).toHaveLength(1);
    expect(h.warnings[0]).toContain('client app only');
    expect(h.warnings[0]).toContain('"app"');
    expect(h.warnings[0]).toContain('ownerOf');
    await h.sse('app');
    await h.sse('app');
    expect(h.warnings).toHaveLength(2);
  });

  it('warns once per gate, through console', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    cleanups.push(async () => warn.mockRestore());
    const sessions = new SessionManager({ autoStart: false });
    cleanups.push(() => sessions.close());
    const gates = [resolveGateOptions({ sessions }), resolveSseGateOptions({ sessions })];
    for (const { ownerOf } of gates) {
      const request = new Request('http://127.0.0.1/mcp');
      const before = warn.mock.calls.length;
      expect(ownerOf(TOKENS.alice, request)).toBe('["app","alice"]');
      expect(ownerOf(undefined, request)).toBeUndefined();
      expect(warn.mock.calls.length).toBe(before);
      expect(ownerOf(TOKENS.app, request)).toBe('app');
      expect(ownerOf(TOKENS.app, request)).toBe('app');
      expect(warn.mock.calls.length).toBe(before + 1);
    }
    expect(warn).toHaveBeenCalledTimes(2);
  });
});

describe('ownerFromAuth', () => {
  const auth: AuthInfo = { token: 't', clientId: 'client-1', scopes: [] };
  it('is the client ID and the subject, unambiguously, else the client ID alone', () => {
    expect(ownerFromAuth({ ...auth, extra: { sub: 'user-7' } })).toBe('["client-1","user-7"]');
    expect(ownerFromAuth({ ...auth, extra: { sub: '' } })).toBe('client-1');
    expect(ownerFromAuth({ ...auth, extra: { sub: 7 } })).toBe('client-1');
    expect(ownerFromAuth(auth)).toBe('client-1');
    expect(ownerFromAuth({ ...auth, clientId: '' })).toBeUndefined();
    expect(ownerFromAuth({ ...auth, clientId: '', extra: { sub: 'u' } })).toBeUndefined();
    expect(ownerFromAuth(undefined)).toBeUndefined();
    expect(ownerFromAuth({ clientId: 7 } as never)).toBeUndefined();
    // A separator inside either part cannot make two pairs meet.
    expect(ownerFromAuth({ ...auth, clientId: 'a","b', extra: { sub: 'c' } })).not.toBe(
      ownerFromAuth({ ...auth, clientId: 'a', extra: { sub: 'b","c' } }),
    );
  });
});
