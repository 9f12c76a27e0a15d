import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { type Logger, SessionManager } from '../../src/index.js';
import { initializeRequest, postHeaders } from '../support/harness.js';
import { listen } from '../support/http.js';

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

/** A logger that records every call by level. */
function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
}

/** A raw node:http request with exactly these method, path and headers. */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false });
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.end(body);
  });
}

async function start(kind: 'streamable-http' | 'sse') {
  const { logger, lines } = recordingLogger();
  const sessions = new SessionManager({ autoStart: false, maxInitBytes: 1024 });
  const common = { sessions, createServer: createDemoServer, logger, maxRequestBodySize: 4096 };
  const guard = { enableDnsRebindingProtection: true, allowedHosts: ['127.0.0.1'] };
  const handler =
    kind === 'sse' ? new SseHandler(common) : new StreamableHttpHandler({ ...common, ...guard });
  const port = await listen(handler.node);
  open.push(
    () => handler.close(),
    () => sessions.close(),
  );
  return { sessions, lines, port, handler };
}

const JSON_POST = { ...postHeaders(), host: '127.0.0.1' };
const big = (bytes: number) => {
  const request_ = initializeRequest();
  return JSON.stringify({
    ...request_,
    params: { ...(request_.params as object), pad: 'x'.repeat(bytes) },
  });
};

describe('client mistakes: counted as rejected.badInput, never logged as errors', () => {
  it('Streamable HTTP, node door', async () => {
    const { sessions, lines, port } = await start('streamable-http');
    const mistakes: [string, Record<string, string>, string | undefined, number][] = [
      ['PUT', { host: '127.0.0.1' }, undefined, 405],
      ['POST', { ...JSON_POST, 'content-type': 'text/plain' }, '{}', 415],
      ['POST', JSON_POST, '{not json', 400],
      ['POST', JSON_POST, 'x'.repeat(5000), 413],
      ['POST', { ...JSON_POST, host: 'evil.example' }, JSON.stringify(initializeRequest()), 403],
      ['POST', { ...JSON_POST, accept: 'text/html' }, JSON.stringify(initializeRequest()), 406],
      ['POST', { ...JSON_POST, 'mcp-session-id': 'bad id' }, '{"jsonrpc":"2.0","method":"x"}', 400],
      ['POST', JSON_POST, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), 400],
      ['POST', JSON_POST, big(2000), 400],
    ];
    for (const [method, headers, body, status] of mistakes) {
      expect([method, await raw(port, method, '/mcp', headers, body)]).toEqual([method, status]);
    }
    // Not mistakes of the request's form: an unknown session answers 404, counted as a lookup.
    const unknown = { ...JSON_POST, 'mcp-session-id': 'never-seen' };
    expect(await raw(port, 'POST', '/mcp', unknown, '{"jsonrpc":"2.0","method":"x"}')).toBe(404);
    expect(await sessions.count()).toBe(0);
    expect(sessions.counters()).toMatchObject({
      rejected: { badInput: mistakes.length, capacity: 0, ownerQuota: 0, rateLimited: 0 },
      notFound: 1,
      created: 0,
    });
    expect(lines.filter((line) => line.level === 'error' || line.level === 'warn')).toEqual([]);
  });

  it('Streamable HTTP, fetch door', async () => {
    const { sessions, lines, handler } = await start('streamable-http');
    const streamable = handler as StreamableHttpHandler;
    const post = (headers: Record<string, string>, body: string) =>
      streamable.fetch(
        new Request('http://127.0.0.1/mcp', {
          method: 'POST',
          headers: { ...headers, host: '127.0.0.1' },
          body,
        }),
      );
    expect(
      (await streamable.fetch(new Request('http://127.0.0.1/mcp', { method: 'PUT' }))).status,
    ).toBe(405);
    expect((await post({ ...postHeaders(), 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    expect((await post(postHeaders(), '{not json')).status).toBe(400);
    expect((await post(postHeaders(), big(2000))).status).toBe(400);
    expect(sessions.counters().rejected.badInput).toBe(4);
    expect(lines.filter((line) => line.level === 'error' || line.level === 'warn')).toEqual([]);
  });

  it('legacy SSE, node door', async () => {
    const { sessions, lines, port } = await start('sse');
    const post = { 'content-type': 'application/json', host: '127.0.0.1' };
    expect(await raw(port, 'PUT', '/messages?sessionId=x', { host: '127.0.0.1' })).toBe(405);
    expect(await raw(port, 'POST', '/messages?sessionId=x', post, '{not json')).toBe(400);
    expect(await raw(port, 'POST', '/sse', { host: '127.0.0.1' })).toBe(405);
    expect(sessions.counters().rejected.badInput).toBe(3);
    expect(lines.filter((line) => line.level === 'error' || line.level === 'warn')).toEqual([]);
  });
});
