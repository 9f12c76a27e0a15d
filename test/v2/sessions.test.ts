import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server';
import { describe, expect, it, onTestFinished } from 'vitest';
import { StreamableHttpHandler } from '../../src/adapters/v2/index.js';
import { isValidSessionId } from '../../src/core/session-id.js';
import { SessionError, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import {
  callRequest,
  initializeRequest,
  postHeaders,
  rawInitialize,
  rawPost,
  readAnswer,
} from '../support/harness.js';
import { buildServer, connectV2, startV2, textOf } from './harness.js';

const IDLE_MS = 60_000;

/** A 2026-07-28 request as SDK v2's client sends it: the version in `_meta` and in the header. */
function modernRequest(method: string, params: Record<string, unknown> = {}, id = 7) {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1.0.0' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
    },
  };
}

async function modernPost(
  url: string,
  message: { method: string; params: Record<string, unknown> },
) {
  const name = message.params.name;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...postHeaders(),
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': message.method,
      ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    },
    body: JSON.stringify(message),
  });
  return { status: response.status, headers: response.headers, json: await readAnswer(response) };
}

type RpcError = { error?: { code?: number; message?: string; data?: Record<string, unknown> } };

describe('mcp-sessions/v2: the 2025 era keeps every session behaviour', () => {
  it('answers 404 SESSION_NOT_FOUND to an unknown session and 400 to a malformed ID', async () => {
    const v2 = await startV2({ handlerOptions: {} });
    const unknown = await rawPost(v2.url, 'a'.repeat(32), callRequest('echo', { text: 'x' }));
    expect(unknown.status).toBe(404);
    expect((unknown.json as RpcError).error?.data).toEqual({ code: 'SESSION_NOT_FOUND' });
    const malformed = await rawPost(v2.url, 'not a session id!', callRequest('echo'));
    expect(malformed.status).toBe(400);
    expect((await v2.sessions.stats()).created).toBe(0);
  });

  it('ends an idle session on sweep; it then answers 404 SESSION_EXPIRED with the reason', async () => {
    const clock = new ManualClock();
    const v2 = await startV2({ clock, managerOptions: { idleTtlMs: IDLE_MS } });
    const id = await rawInitialize(v2.url);
    const live = await rawPost(v2.url, id, callRequest('echo', { text: 'live' }));
    expect(live.status).toBe(200);
    expect(textOf((live.json as { result: unknown }).result)).toBe('live');
    expect(await v2.passTime(IDLE_MS - 1)).toBe(0);
    expect(await v2.passTime(1)).toBe(1);
    const gone = await rawPost(v2.url, id, callRequest('echo', { text: 'late' }));
    expect(gone.status).toBe(404);
    expect((gone.json as RpcError).error?.data).toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'idle',
    });
    expect(v2.handler.size).toBe(0);
  });

  it('DELETE answers 200 and ends the session with reason deleted', async () => {
    const v2 = await startV2();
    const id = await rawInitialize(v2.url);
    const del = await fetch(v2.url, { method: 'DELETE', headers: { 'mcp-session-id': id } });
    await del.text();
    expect(del.status).toBe(200);
    const after = await rawPost(v2.url, id, callRequest('echo', { text: 'x' }));
    expect(after.status).toBe(404);
    expect((after.json as RpcError).error?.data).toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'deleted',
    });
  });

  it('answers 405 with Allow to other methods, on either era', async () => {
    const v2 = await startV2();
    const put = await fetch(v2.url, { method: 'PUT', headers: postHeaders(), body: '{}' });
    await put.text();
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
  });
});

describe('mcp-sessions/v2: the 2026-07-28 era', () => {
  it('is answered by createMcpHandler with no Mcp-Session-Id and no session', async () => {
    const v2 = await startV2();
    const listed = await modernPost(v2.url, modernRequest('tools/list'));
    expect(listed.status).toBe(200);
    expect(listed.headers.get('mcp-session-id')).toBeNull();
    const names = (listed.json as { result: { tools: Array<{ name: string }> } }).result.tools;
    expect(names.map((tool) => tool.name).sort()).toEqual(['echo', 'whoami']);
    const called = await modernPost(
      v2.url,
      modernRequest('tools/call', { name: 'echo', arguments: { text: 'm' } }),
    );
    expect(called.headers.get('mcp-session-id')).toBeNull();
    expect(textOf((called.json as { result: unknown }).result)).toBe('m');
    expect((await v2.sessions.stats()).created).toBe(0);
  });

  it('DNS rebinding protection refuses a modern request with 403 before any server is built', async () => {
    const v2 = await startV2({
      handlerOptions: { enableDnsRebindingProtection: true, allowedHosts: ['example.test'] },
    });
    const refused = await modernPost(v2.url, modernRequest('tools/list'));
    expect(refused.status).toBe(403);
    expect(v2.built).toEqual([]);
  });

  it('answers 503 with Retry-After once the handler is closed', async () => {
    const v2 = await startV2();
    await v2.handler.close();
    const late = await modernPost(v2.url, modernRequest('tools/list'));
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('5');
  });
});

describe('mcp-sessions/v2 with modern: false (legacy only)', () => {
  it('answers a modern request the spec’s unsupported-protocol-version error, naming the 2025 versions', async () => {
    const v2 = await startV2({ handlerOptions: { modern: false } });
    const probe = await modernPost(v2.url, modernRequest('server/discover'));
    expect(probe.status).toBe(400);
    expect(probe.json).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32022,
        message: 'Unsupported protocol version: 2026-07-28',
        data: { supported: [...SUPPORTED_PROTOCOL_VERSIONS], requested: '2026-07-28' },
      },
    });
    expect(v2.built).toEqual([]);
    expect(v2.handler.notify).toBeUndefined();
    expect(v2.handler.bus).toBeUndefined();
  });

  it('a v2 client in auto mode falls back to a session; one pinned to 2026-07-28 is refused', async () => {
    const v2 = await startV2({ handlerOptions: { modern: false } });
    const { client, transport } = await connectV2(v2.url, 'auto');
    expect(client.getProtocolEra()).toBe('legacy');
    expect(transport.sessionId).toBeTypeOf('string');
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'f' } }))).toBe('f');
    const pinned = new Client(
      { name: 'pinned', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    onTestFinished(() => pinned.close());
    await expect(
      pinned.connect(new StreamableHTTPClientTransport(new URL(v2.url))),
    ).rejects.toThrow();
    expect((await v2.sessions.stats()).created).toBe(1);
  });
});

describe('mcp-sessions/v2 options', () => {
  const sessions = new SessionManager({ clock: new ManualClock(), autoStart: false });

  function invalid(options: unknown): SessionError {
    try {
      new StreamableHttpHandler(options as ConstructorParameters<typeof StreamableHttpHandler>[0]);
    } catch (error) {
      return error as SessionError;
    }
    throw new Error('expected INVALID_OPTION');
  }

  it('refuses bad options with INVALID_OPTION naming the field, the value and what is accepted', () => {
    const modern = invalid({ sessions, createServer: buildServer, modern: 'yes' });
    expect(modern).toBeInstanceOf(SessionError);
    expect(modern.code).toBe('INVALID_OPTION');
    expect(modern.message).toContain('`modern`');
    expect(modern.message).toContain('true or false');
    expect(modern.message).toContain('"yes"');
    expect(invalid({ sessions, createServer: buildServer, bus: {} }).message).toContain('`bus`');
    expect(invalid({ sessions, createServer: buildServer, responseMode: 'xml' }).message).toContain(
      "'auto', 'sse' or 'json'",
    );
    expect(invalid({ sessions }).message).toContain('`createServer`');
    expect(invalid({ sessions, createServer: buildServer, nope: 1 }).message).toContain(
      'Unknown StreamableHttpHandler option `nope`',
    );
    expect(invalid(null).code).toBe('INVALID_OPTION');
  });

  it('a raw initialize (no protocol claim) is legacy: it gets a session header', async () => {
    const v2 = await startV2();
    const init = await fetch(v2.url, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(initializeRequest()),
    });
    await init.text();
    expect(init.status).toBe(200);
    expect(isValidSessionId(init.headers.get('mcp-session-id'))).toBe(true);
    expect((await v2.sessions.stats()).created).toBe(1);
  });
});
