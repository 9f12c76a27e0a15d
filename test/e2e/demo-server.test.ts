import { type ChildProcess, spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  type DemoServer,
  parseAuthTokens,
  startDemoServer,
} from '../../examples/demo-server.js';
import {
  callRequest,
  initializeRequest,
  postHeaders,
  rawInitialize,
  rawPost,
} from '../support/harness.js';
import { within } from '../support/wait.js';

/** How long the CLI may take to start under tsx on a loaded machine, in ms. */
const CLI_START_TIMEOUT_MS = 15_000;

let demo: DemoServer | undefined;
let child: ChildProcess | undefined;

afterEach(async () => {
  await demo?.close();
  demo = undefined;
  if (child !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
});

/** Runs the CLI; answers its first stdout line (or its exit code and stderr when it fails). */
function runCli(args: string[], env: Record<string, string> = {}) {
  child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo-server.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = child;
  const started = new Promise<{ line?: string; code?: number | null; stderr: string }>(
    (resolve) => {
      let out = '';
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      proc.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve({ line: out.split('\n')[0]!, stderr });
      });
      proc.once('exit', (code) => resolve({ code, stderr }));
    },
  );
  return within(started, 'the demo CLI to print its first line or exit', CLI_START_TIMEOUT_MS);
}

describe('demo server', () => {
  it('serves /healthz with the manager stats and logs creation and end with masked IDs', async () => {
    const lines: string[] = [];
    demo = await startDemoServer({ port: 0, log: (line) => lines.push(line) });
    const id = await rawInitialize(demo.mcpUrl);
    const health = await fetch(`${demo.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ live: 1, created: 1, tombstones: 0 });
    await demo.sessions.end(id, 'closed');
    expect(lines).toEqual([
      `session ${id.slice(0, 8)}… created (streamable-http)`,
      `session ${id.slice(0, 8)}… ended: closed`,
    ]);
    expect(lines.join('\n')).not.toContain(id);
    const missing = await fetch(`${demo.url}/nowhere`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('mounts the legacy HTTP+SSE transport on the same session table', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const client = new Client({ name: 'sse', version: '1' });
    await client.connect(new SSEClientTransport(new URL(`${demo.url}/sse`)));
    const result = (await client.callTool({ name: 'echo', arguments: { text: 'old' } })) as {
      content: { text: string }[];
    };
    expect(result.content[0]?.text).toBe('old');
    const [session] = await demo.sessions.list();
    expect(session?.kind).toBe('sse');
    const crossed = await rawPost(demo.mcpUrl, session!.id, callRequest('echo', { text: 'x' }));
    expect(crossed.status).toBe(400);
    await client.close();
  });

  it('answers concurrent initialize requests with the same JSON-RPC id each with its own session', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        fetch(demo!.mcpUrl, {
          method: 'POST',
          headers: postHeaders(),
          body: JSON.stringify(initializeRequest(1)),
        }),
      ),
    );
    const ids = answers.map((a) => a.headers.get('mcp-session-id'));
    await Promise.all(answers.map((a) => a.text()));
    expect(new Set(ids).size).toBe(3);
    expect(await demo.sessions.count()).toBe(3);
  });

  it('runs from the command line with flags and environment', async () => {
    const started = await runCli(['--port', '0', '--sweep-ms', '50'], {
      MCP_SESSION_IDLE_TTL_MS: '1234',
    });
    expect(started.line).toMatch(
      /^MCP demo on http:\/\/127\.0\.0\.1:\d+\/mcp \(SDK v1, idle TTL 1234 ms, memory store\)/,
    );
    const url = started.line!.match(/health at (\S+)/)![1]!;
    const health = await fetch(url);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ live: 0 });
  });

  it('applies --max-sessions and --capacity-policy from the command line', async () => {
    const started = await runCli([
      '--port',
      '0',
      '--max-sessions',
      '1',
      '--capacity-policy',
      'evict-oldest',
    ]);
    const health = started.line!.match(/health at (\S+)/)![1]!;
    const mcp = health.replace('/healthz', '/mcp');
    const first = await rawInitialize(mcp);
    const second = await rawInitialize(mcp);
    expect(second).not.toBe(first);
    expect(await (await fetch(health)).json()).toMatchObject({ live: 1, ended: { evicted: 1 } });
    const gone = await rawPost(mcp, first, callRequest('echo', { text: 'x' }));
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ error: { data: { code: 'SESSION_EXPIRED' } } });
  });

  it('serves /mcp on SDK v2 with --sdk v2 (the flag beats MCP_SDK): a 2026-07-28 call gets no session', async () => {
    const started = await runCli(['--port', '0', '--sdk', 'v2'], { MCP_SDK: 'v1' });
    expect(started.line).toMatch(/^MCP demo on http:\/\/127\.0\.0\.1:\d+\/mcp \(SDK v2, /);
    const health = started.line!.match(/health at (\S+)/)![1]!;
    const modern = '2026-07-28';
    const answer = await fetch(health.replace('/healthz', '/mcp'), {
      method: 'POST',
      headers: {
        ...postHeaders(),
        'mcp-protocol-version': modern,
        'mcp-method': 'tools/call',
        'mcp-name': 'echo',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: {
          name: 'echo',
          arguments: { text: 'modern' },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': modern,
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('mcp-session-id')).toBeNull();
    expect(await answer.text()).toContain('modern');
    expect(await (await fetch(health)).json()).toMatchObject({ live: 0, created: 0 });
  });

  it('stops at once on an --sdk / MCP_SDK other than v1 or v2, naming the accepted values', async () => {
    for (const [args, env] of [
      [['--sdk', 'v3'], {}],
      [[], { MCP_SDK: 'latest' }],
    ] as const) {
      const failed = await runCli(['--port', '0', ...args], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("Invalid --sdk / MCP_SDK: expected 'v1' or 'v2'");
    }
  });

  it('refuses a bad flag with a message naming it', async () => {
    const failed = await runCli(['--port', '0', '--idle-ttl-ms', 'soon']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Invalid --idle-ttl-ms / MCP_SESSION_IDLE_TTL_MS');
  });

  describe('with bearer tokens', () => {
    const TOKENS = 'tok-alice=alice, tok-bob = bob ';
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    async function start(): Promise<DemoServer> {
      const created: string[] = [];
      demo = await startDemoServer({ port: 0, log: null, authTokens: parseAuthTokens(TOKENS) });
      demo.sessions.on('created', (session) => created.push(session.id));
      return Object.assign(demo, { created });
    }

    async function streamable(url: string, token: string) {
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: bearer(token) },
      });
      const client = new Client({ name: 'demo-auth', version: '1' });
      await client.connect(transport);
      return { client, sessionId: transport.sessionId! };
    }

    async function notFound(response: Response): Promise<string> {
      expect(response.status).toBe(404);
      return ((await response.json()) as { error: { data: { code: string } } }).error.data.code;
    }

    it('parses token=user pairs, trimmed, and names a malformed entry', () => {
      expect([...parseAuthTokens(TOKENS)]).toEqual([
        ['tok-alice', 'alice'],
        ['tok-bob', 'bob'],
      ]);
      for (const bad of ['tok-a=alice,nobody', 'tok-a=alice, =bob', 'a b=c', 'x=1,x=2', 'a=b,']) {
        expect(() => parseAuthTokens(bad, 'MCP_DEMO_TOKENS')).toThrow(
          /^Invalid MCP_DEMO_TOKENS entry ".*": expected token=user/,
        );
      }
      expect(() => parseAuthTokens('tok-a=alice, nobody ')).toThrow('entry "nobody"');
    });

    it('answers 401 with WWW-Authenticate: Bearer without a known token; /healthz stays open', async () => {
      const d = await start();
      const requests: [string, RequestInit][] = [
        [
          '/mcp',
          { method: 'POST', headers: postHeaders(), body: JSON.stringify(initializeRequest()) },
        ],
        ['/sse', { headers: { accept: 'text/event-stream' } }],
        ['/messages?sessionId=x', { method: 'POST', body: '{}' }],
      ];
      for (const [path, init] of requests) {
        for (const headers of [{}, bearer('tok-mallory'), { authorization: 'Basic tok-alice' }]) {
          const answer = await fetch(`${d.url}${path}`, {
            ...init,
            headers: { ...(init.headers as Record<string, string>), ...headers },
          });
          expect(answer.status).toBe(401);
          expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
          expect(await answer.json()).toMatchObject({ error: 'invalid_token' });
        }
      }
      expect(await d.sessions.count()).toBe(0);
      const health = await fetch(`${d.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ live: 0 });
    });

    it('gives each user their own Streamable HTTP session; another user gets SESSION_NOT_FOUND', async () => {
      const d = await start();
      const alice = await streamable(d.mcpUrl, 'tok-alice');
      const bob = await streamable(d.mcpUrl, 'tok-bob');
      expect(alice.sessionId).not.toBe(bob.sessionId);
      const owner = JSON.stringify([DEMO_CLIENT_ID, 'alice']);
      expect((await d.sessions.resolve(alice.sessionId, { owner })).status).toBe('active');
      const asBob = await fetch(d.mcpUrl, {
        method: 'POST',
        headers: { ...postHeaders(alice.sessionId), ...bearer('tok-bob') },
        body: JSON.stringify(callRequest('counter')),
      });
      expect(await notFound(asBob)).toBe('SESSION_NOT_FOUND');
      const counter = (await alice.client.callTool({ name: 'counter', arguments: {} })) as {
        content: { text: string }[];
      };
      expect(counter.content[0]?.text).toBe('1');
      await alice.client.close();
      await bob.client.close();
    });

    it('binds a legacy SSE session to the user who opened the stream', async () => {
      const d = (await start()) as DemoServer & { created: string[] };
      const client = new Client({ name: 'demo-auth-sse', version: '1' });
      await client.connect(
        new SSEClientTransport(new URL(`${d.url}/sse`), {
          requestInit: { headers: bearer('tok-alice') },
        }),
      );
      const [sessionId] = d.created;
      expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
        { type: 'text', text: 'hi' },
      ]);
      const asBob = await fetch(`${d.url}/messages?sessionId=${sessionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('tok-bob') },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
      });
      expect(await notFound(asBob)).toBe('SESSION_NOT_FOUND');
      await client.close();
    });

    it('runs from the command line with MCP_DEMO_TOKENS; a malformed entry stops startup naming it', async () => {
      const failed = await runCli(['--port', '0'], { MCP_DEMO_TOKENS: 'tok-a=alice, oops' });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('Invalid --auth-tokens / MCP_DEMO_TOKENS entry "oops"');
      const started = await runCli(['--port', '0', '--auth-tokens', TOKENS]);
      expect(started.line).toContain('bearer auth for 2 tokens');
      const health = started.line!.match(/health at (\S+)/)![1]!;
      expect((await fetch(health)).status).toBe(200);
      const mcp = await fetch(health.replace('/healthz', '/mcp'), {
        method: 'POST',
        headers: postHeaders(),
        body: JSON.stringify(initializeRequest()),
      });
      expect(mcp.status).toBe(401);
      await mcp.text();
    });
  });
});
