import { type ChildProcess, spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../examples/demo-server.js';
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
      /^MCP demo on http:\/\/127\.0\.0\.1:\d+\/mcp \(idle TTL 1234 ms, memory store\)/,
    );
    const url = started.line!.match(/health at (\S+)/)![1]!;
    const health = await fetch(url);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ live: 0 });
  });

  it('refuses a bad flag with a message naming it', async () => {
    const failed = await runCli(['--port', '0', '--idle-ttl-ms', 'soon']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('Invalid --idle-ttl-ms / MCP_SESSION_IDLE_TTL_MS');
  });
});
