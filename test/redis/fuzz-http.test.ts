import { Agent, type IncomingMessage, request } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import type { OwnerOf } from '../../src/adapters/shared/owner.js';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { type Logger, SessionManager, type SessionStore } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { serveDoor } from '../support/http.js';
import { redisClients } from '../support/redis.js';

// Fails (never skips) when the Redis at REDIS_URL is unreachable.
const { io, scratchPrefix } = await redisClients();

/** The seed of the run; `FUZZ_SEED` replays another one. */
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026) >>> 0;
/** Requests per store (memory, then Redis). */
const REQUESTS = 5_000;
const CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 5_000;
const BODY_LIMIT = 64 * 1024;

/** A small seeded PRNG (mulberry32): the same seed makes the same requests. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The owner of a request: its `x-test-owner` header. */
const ownerOf: OwnerOf = (_auth, req) => req.headers.get('x-test-owner') ?? undefined;

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: { name: 'fuzz', version: '1.0.0' },
  },
};

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

interface Shot {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | undefined;
}

/**
 * Sends one request over `agent`; a GET's event stream is dropped once its head arrived. Rejects
 * when the request does not complete within {@link REQUEST_TIMEOUT_MS}.
 */
function send(port: number, agent: Agent, shot: Shot): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: shot.method,
        path: shot.path,
        headers: shot.headers,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const stream = String(res.headers['content-type'] ?? '').includes('text/event-stream');
        if (stream && shot.method === 'GET') {
          res.destroy();
          req.destroy();
          resolve({ status, headers: res.headers, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(shot.body);
  });
}

/** Opens `GET /sse` as `owner` and keeps it open; answers its session ID and a closer. */
function openSse(port: number, owner: string): Promise<{ id: string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/sse', headers: { 'x-test-owner': owner } },
      (res) => {
        let seen = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          seen += chunk;
          const match = /sessionId=([^\s&]+)/.exec(seen);
          if (match?.[1] !== undefined) {
            res.removeAllListeners('data');
            res.resume();
            resolve({ id: decodeURIComponent(match[1]), close: () => req.destroy() });
          }
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Nested arrays `depth` deep. */
function nested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

interface Pools {
  victimHttp: string;
  victimSse: string;
  /** Streamable HTTP sessions the fuzz made as owner B. */
  mine: string[];
}

/** One generated request, from `rand` only. */
function generate(rand: () => number, pools: Pools): Shot {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const sessionId = (): string | undefined =>
    pick([
      undefined,
      '',
      'x'.repeat(300),
      'y'.repeat(9_000),
      'z'.repeat(20_000),
      'a\tb',
      Buffer.from('séssion-ümlaut-日本', 'utf8').toString('latin1'),
      'é'.repeat(40),
      '00000000-0000-4000-8000-000000000000',
      crypto.randomUUID(),
      pools.victimHttp,
      pools.victimHttp,
      pools.victimSse,
      pools.victimSse,
      `${pools.victimHttp} `,
      pools.victimHttp.toUpperCase(),
      pools.mine.length > 0 ? pick(pools.mine) : undefined,
    ]);
  const queryId = (): string =>
    pick([
      '',
      '?sessionId=',
      '?sessionId=%00%01%1b%7f',
      `?sessionId=${encodeURIComponent(pools.victimSse)}`,
      `?sessionId=${encodeURIComponent(pools.victimSse)}`,
      `?sessionId=${encodeURIComponent(pools.victimHttp)}`,
      `?sessionId=${encodeURIComponent(pools.victimSse)}&sessionId=x`,
      `?sessionId=${'q'.repeat(5_000)}`,
      `?sessionId=${encodeURIComponent('日本語')}`,
      `?sessionId=${crypto.randomUUID()}`,
      '?sessionId=%E0%A4%A',
    ]);
  const method = pick([
    'POST',
    'POST',
    'POST',
    'POST',
    'POST',
    'POST',
    'POST',
    'POST',
    'POST',
    'POST',
    'GET',
    'GET',
    'DELETE',
    'DELETE',
    'TRACE',
    'PUT',
    'PATCH',
    'OPTIONS',
    'HEAD',
  ]);
  const body = pick<() => string | undefined>([
    () => undefined,
    () => '',
    () => '{',
    () => '{"jsonrpc":"2.0","id":1,"method":',
    () => nested(5_000),
    () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'ping',
        params: { s: 'x'.repeat(BODY_LIMIT - 200) },
      }),
    () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'ping',
        params: { s: 'x'.repeat(BODY_LIMIT) },
      }),
    () => JSON.stringify([INIT, { jsonrpc: '2.0', id: 2, method: 'ping' }]),
    () => JSON.stringify([]),
    () => JSON.stringify([{ jsonrpc: '2.0', id: 3, method: 'ping' }, 7]),
    () => pick(['7', 'null', '"str"', 'true', '{}']),
    () => JSON.stringify(INIT),
    () => JSON.stringify(INIT),
    () => JSON.stringify({ ...INIT, params: { ...INIT.params, protocolVersion: '2099-01-01' } }),
    () => JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'hello', arguments: {} },
      }),
    () =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'hello', arguments: {} },
      }),
  ])();
  const headers: Record<string, string> = {};
  const owner = pick(['B', 'B', 'B', 'B', undefined, '']);
  if (owner !== undefined) headers['x-test-owner'] = owner;
  const contentType = pick([
    undefined,
    'application/json',
    'application/json',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=xyz',
    'application/json; charset=weird',
  ]);
  if (contentType !== undefined) headers['content-type'] = contentType;
  headers.accept = pick([
    'application/json, text/event-stream',
    'application/json, text/event-stream',
    'text/html',
    '*/*',
  ]);
  if (rand() < 0.2) {
    headers.host = pick([
      '',
      'evil.example',
      '[::1',
      'a b',
      '127.0.0.1:99999',
      'x'.repeat(300),
      'é.example',
      ':',
    ]);
  }
  if (rand() < 0.2) {
    headers.origin = pick(['null', 'https://evil.example', 'not a url', 'http://[', '']);
  }
  const door = pick(['mcp', 'mcp', 'mcp', 'messages', 'messages', 'sse'] as const);
  const framed = (shot: Shot): Shot => {
    // A body only where a request may carry one, and not past node's 16 KiB header limit (node
    // answers 431 and closes the socket then, before any handler runs).
    const headerBytes = Object.values(shot.headers).reduce((n, v) => n + v.length, 0);
    const carries = !['GET', 'HEAD', 'TRACE'].includes(shot.method) && headerBytes < 12_000;
    if (!carries || shot.body === undefined) return { ...shot, body: undefined };
    return {
      ...shot,
      headers: { ...shot.headers, 'content-length': String(Buffer.byteLength(shot.body)) },
    };
  };
  if (door === 'mcp') {
    const id = sessionId();
    if (id !== undefined) headers['mcp-session-id'] = id;
    return framed({ method, path: '/mcp', headers, body });
  }
  if (door === 'messages') {
    return framed({ method, path: `/messages${queryId()}`, headers, body });
  }
  return {
    method: pick(['GET', 'GET', 'POST', 'DELETE']),
    path: `/sse${pick(['', '?x=1', queryId()])}`,
    headers,
  };
}

/** Runs the fuzz against both handlers on one store; answers the status histogram. */
async function fuzz(store: SessionStore | undefined, seed: number): Promise<Map<number, number>> {
  const lines: string[] = [];
  const capture =
    (level: string) =>
    (message: string, details?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${details === undefined ? '' : safeJson(details)}`);
    };
  const logger: Logger = {
    debug: capture('debug'),
    info: capture('info'),
    warn: capture('warn'),
    error: capture('error'),
  };
  const clock = new ManualClock(Date.now());
  const sessions = new SessionManager({
    ...(store === undefined ? {} : { store }),
    clock,
    autoStart: false,
    logger,
  });
  const created = new Set<string>();
  sessions.on('created', (session) => created.add(session.id));
  const createServer = () => {
    const server = new McpServer({ name: 'fuzz', version: '1.0.0' });
    server.registerTool('hello', {}, () => ({ content: [{ type: 'text', text: 'hi' }] }));
    return server;
  };
  const options = { sessions, createServer, ownerOf, logger, maxRequestBodySize: BODY_LIMIT };
  const mcp = new StreamableHttpHandler(options);
  const sse = new SseHandler(options);
  const failures: unknown[] = [];
  const { port } = await serveDoor((req, res) =>
    req.url?.startsWith('/mcp')
      ? mcp.node(req, res)
      : sse.node(req, res, (error?: unknown) => {
          if (error !== undefined) failures.push(`next(${String(error)})`);
          res.statusCode = error === undefined ? 404 : 500;
          res.end();
        }),
  );
  // A connection per request: node closes a socket after some error answers, and a reused one
  // would fail the next request for the client's sake, not the handler's.
  const agent = new Agent({ keepAlive: false, maxSockets: CONCURRENCY });
  const onFailure = (error: unknown) => failures.push(error);
  process.on('unhandledRejection', onFailure);
  process.on('uncaughtException', onFailure);
  const histogram = new Map<number, number>();
  let victimSseStream: { id: string; close: () => void } | undefined;
  try {
    // The victims: one session of owner A on each transport, idle for the whole run.
    const init = await send(port, agent, {
      method: 'POST',
      path: '/mcp',
      headers: {
        'x-test-owner': 'A',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(INIT),
    });
    expect(init.status).toBe(200);
    const victimHttp = String(init.headers['mcp-session-id']);
    victimSseStream = await openSse(port, 'A');
    const victimSse = victimSseStream.id;
    const before = await Promise.all(
      [victimHttp, victimSse].map((id) => sessions.resolve(id, { owner: 'A' })),
    );
    for (const r of before) expect(r.status).toBe('active');

    const pools: Pools = { victimHttp, victimSse, mine: [] };
    const rand = mulberry32(seed);
    let next = 0;
    let aimed = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        next++;
        const shot = generate(rand, pools);
        const target = `${shot.headers['mcp-session-id']} ${shot.path}`;
        if (target.includes(victimHttp) || target.includes(encodeURIComponent(victimSse))) aimed++;
        const answer = await send(port, agent, shot).catch((error: unknown) => {
          failures.push(
            `${String(error)} on ${shot.method} ${shot.path.slice(0, 80)} ${safeJson(shot.headers).slice(0, 300)} ${String(shot.body).slice(0, 80)}`,
          );
          const failed: Answer = { status: 0, headers: {}, text: '' };
          return failed;
        });
        histogram.set(answer.status, (histogram.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500 && answer.status !== 503) {
          failures.push(
            `${answer.status} on ${shot.method} ${shot.path.slice(0, 80)}: ${answer.text.slice(0, 200)}`,
          );
        }
        const made = answer.headers['mcp-session-id'];
        if (typeof made === 'string' && made !== victimHttp && pools.mine.length < 64) {
          pools.mine.push(made);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(failures).toEqual([]);
    expect([...histogram.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
    expect(aimed).toBeGreaterThan(REQUESTS / 10);
    const after = await Promise.all(
      [victimHttp, victimSse].map((id) => sessions.resolve(id, { owner: 'A' })),
    );
    for (const [i, r] of after.entries()) {
      expect(r.status).toBe('active');
      const was = before[i];
      if (r.status === 'active' && was?.status === 'active') {
        expect(r.session.lastSeenAt).toBe(was.session.lastSeenAt);
      }
    }
  } finally {
    process.off('unhandledRejection', onFailure);
    process.off('uncaughtException', onFailure);
    victimSseStream?.close();
    agent.destroy();
    await sse.close();
    await mcp.close();
    await sessions.close();
  }
  const leaked = lines.filter((line) => [...created].some((id) => line.includes(id)));
  expect(leaked).toEqual([]);
  return histogram;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error ? `${v.name}: ${v.message}` : v,
    );
  } catch {
    return String(value);
  }
}

describe('fuzzing both HTTP handlers', () => {
  const histogram = new Map<number, number>();
  const add = (h: Map<number, number>) => {
    for (const [status, n] of h) histogram.set(status, (histogram.get(status) ?? 0) + n);
  };

  it(`survives ${REQUESTS} generated requests on the memory store (seed 0x${SEED.toString(16)})`, {
    timeout: 60_000,
  }, async () => {
    add(await fuzz(undefined, SEED));
  });

  it(`survives ${REQUESTS} generated requests on a RedisStore (seed 0x${SEED.toString(16)})`, {
    timeout: 60_000,
  }, async () => {
    const store = new RedisStore({ client: io, prefix: scratchPrefix('fuzz') });
    add(await fuzz(store, SEED));
    const sorted = [...histogram].sort(([a], [b]) => a - b);
    console.info(
      `fuzz seed 0x${SEED.toString(16)}: statuses ${JSON.stringify(Object.fromEntries(sorted))}`,
    );
  });
});
