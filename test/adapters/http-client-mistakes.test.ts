import { request } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  StreamableHttpGate,
  StreamableHttpHandler,
} from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import { listen } from '../support/http.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A raw node:http request whose method and headers (`Host` included) are exactly as given. */
function raw(
  port: number,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: '/mcp', headers, setHost: false });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.end(body);
  });
}

/** A manager whose store fails every call once `failing` is set: a 503 means the store was asked. */
function faultyManager(): { sessions: SessionManager; store: FaultyStore } {
  const store = new FaultyStore();
  const sessions = new SessionManager({ store, autoStart: false });
  open.push({
    close: () => {
      store.failing = false;
      return sessions.close();
    },
  });
  return { sessions, store };
}

const ODD_METHODS = ['TRACE', 'PUT', 'PATCH', 'OPTIONS', 'PROPFIND', 'M-SEARCH', 'PURGE'];
const HOSTILE_HOSTS = ['bad host', '[::1', 'a/b', 'x:99999999', 'évil.example', '', 'a@b'];
const JSON_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};
const PING = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'ping' });

/** Every client mistake, with and without a session header; answers what came back. */
async function mistakes(port: number, sessionId: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  const host = `127.0.0.1:${port}`;
  for (const session of [{}, { 'mcp-session-id': sessionId }]) {
    for (const method of ODD_METHODS) {
      const answer = await raw(port, method, { host, ...JSON_HEADERS, ...session });
      expect(answer.status, `${method}`).toBe(405);
      expect(answer.headers.allow).toBe('GET, POST, DELETE');
      answers.push(answer);
    }
    for (const bad of HOSTILE_HOSTS) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const body = method === 'POST' ? PING : undefined;
        const answer = await raw(port, method, { host: bad, ...JSON_HEADERS, ...session }, body);
        expect(answer.status, `${method} with Host ${JSON.stringify(bad)}`).toBe(400);
        answers.push(answer);
      }
    }
  }
  return answers;
}

describe('client mistakes are 4xx, answered before the store, never logged as errors', () => {
  it('on the Streamable HTTP handler', async () => {
    const { sessions, store } = faultyManager();
    const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
    const handler = new StreamableHttpHandler({
      sessions,
      logger,
      createServer: () => new McpServer({ name: 'mistakes', version: '1.0.0' }),
    });
    open.push(handler);
    const port = await listen(handler.node);
    const session = await sessions.create();
    store.failing = true;
    const answers = await mistakes(port, session.id);
    for (const answer of answers) {
      expect(JSON.parse(answer.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
    expect(logger.error).not.toHaveBeenCalled();
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('on the Streamable HTTP gate', async () => {
    const { sessions, store } = faultyManager();
    const gate = new StreamableHttpGate({ sessions });
    const admitted: string[] = [];
    const port = await listen(async (req, res) => {
      const pass = await gate.admit(req, res, JSON.parse(PING));
      if (pass !== undefined) {
        admitted.push(`${req.method} ${req.headers.host}`);
        res.writeHead(299).end();
      }
    });
    const session = await sessions.create({ kind: 'streamable-http' });
    store.failing = true;
    const answers = await mistakes(port, session.id);
    for (const answer of answers) {
      expect(JSON.parse(answer.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
    expect(admitted).toEqual([]);
  });
});
