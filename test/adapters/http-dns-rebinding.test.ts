import { request } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StreamableHttpGate,
  StreamableHttpHandler,
} from '../../src/adapters/streamable-http/index.js';
import { SessionError, SessionManager, type SessionManagerOptions } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { initializeRequest } from '../support/harness.js';
import { type Door, listen } from '../support/http.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

interface Answer {
  status: number;
  sessionId: string | undefined;
  text: string;
}

/** A raw `POST initialize` whose headers (`Host` included) are exactly as given. */
function initialize(port: number, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/mcp',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      setHost: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        const id = res.headers['mcp-session-id'];
        resolve({
          status: res.statusCode!,
          sessionId: typeof id === 'string' ? id : undefined,
          text,
        });
      });
    });
    req.end(JSON.stringify(initializeRequest()));
  });
}

function manager(options: SessionManagerOptions = {}): SessionManager {
  const sessions = new SessionManager({ clock: new ManualClock(), autoStart: false, ...options });
  open.push(sessions);
  return sessions;
}

const PROTECTION = {
  enableDnsRebindingProtection: true,
  allowedOrigins: ['https://app.example'],
};

/** Serves the handler, or the SDK example server behind the gate, with DNS rebinding protection. */
async function serve(kind: 'handler' | 'gate', sessions: SessionManager): Promise<number> {
  let door: Door = async () => undefined;
  const port = await listen((req, res) => door(req, res));
  const protection = { ...PROTECTION, allowedHosts: [`127.0.0.1:${port}`] };
  if (kind === 'handler') {
    const handler = new StreamableHttpHandler({
      sessions,
      createServer: () => new McpServer({ name: 'dns', version: '1.0.0' }),
      ...protection,
    });
    open.push(handler);
    door = handler.node;
    return port;
  }
  const gate = new StreamableHttpGate({ sessions, ...protection });
  const transports = new Map<string, StreamableHTTPServerTransport>();
  door = async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const pass = await gate.admit(req, res, JSON.parse(text));
    if (pass === undefined) return;
    let transport = transports.get(pass.sessionId);
    if (transport === undefined) {
      transport = new StreamableHTTPServerTransport(pass.transportOptions(protection));
      transports.set(pass.sessionId, transport);
      const server = new McpServer({ name: 'dns', version: '1.0.0' });
      pass.closeOnEnd(transport, server, () => transports.delete(pass.sessionId));
      await server.connect(transport);
    }
    await transport.handleRequest(req, res, pass.body);
  };
  return port;
}

describe.each(['handler', 'gate'] as const)('DNS rebinding protection on the %s', (kind) => {
  it('refuses a foreign Host or Origin with 403 before any session is created', async () => {
    const sessions = manager();
    const port = await serve(kind, sessions);
    const before = await sessions.stats();
    const foreignHost = await initialize(port, { host: 'evil.example' });
    expect(foreignHost.status).toBe(403);
    expect(JSON.parse(foreignHost.text)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Invalid Host header: evil.example' },
      id: null,
    });
    const foreignOrigin = await initialize(port, {
      host: `127.0.0.1:${port}`,
      origin: 'https://evil.example',
    });
    expect(foreignOrigin.status).toBe(403);
    expect(foreignOrigin.text).toContain('Invalid Origin header: https://evil.example');
    expect(await sessions.stats()).toEqual(before);

    const allowed = await initialize(port, {
      host: `127.0.0.1:${port}`,
      origin: 'https://app.example',
    });
    expect(allowed.status).toBe(200);
    expect((await sessions.stats()).live).toBe(1);
  });

  it('answers 406 to an initialize that does not accept both answer types, creating nothing', async () => {
    const sessions = manager();
    const port = await serve(kind, sessions);
    const before = await sessions.stats();
    const answer = await initialize(port, {
      host: `127.0.0.1:${port}`,
      accept: 'application/json',
    });
    expect(answer.status).toBe(406);
    expect(answer.text).toContain('Not Acceptable');
    expect(await sessions.stats()).toEqual(before);
  });

  it('under evict-oldest, a foreign Host evicts nobody', async () => {
    const sessions = manager({ maxSessions: 1, capacityPolicy: 'evict-oldest' });
    const port = await serve(kind, sessions);
    const legit = await initialize(port, { host: `127.0.0.1:${port}` });
    expect(legit.status).toBe(200);
    const foreign = await initialize(port, { host: 'evil.example' });
    expect(foreign.status).toBe(403);
    expect((await sessions.resolve(legit.sessionId!)).status).toBe('active');
    expect((await sessions.stats()).ended.evicted).toBe(0);
  });

  it('under reject, a full server answers a foreign Host 403, not 503', async () => {
    const sessions = manager({ maxSessions: 1, capacityPolicy: 'reject' });
    const port = await serve(kind, sessions);
    expect((await initialize(port, { host: `127.0.0.1:${port}` })).status).toBe(200);
    await expect(sessions.create()).rejects.toBeInstanceOf(SessionError);
    const foreign = await initialize(port, { host: 'evil.example' });
    expect(foreign.status).toBe(403);
  });
});
