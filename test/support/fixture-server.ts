import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import {
  answerForResolution,
  badRequest,
  sessionNotFound,
} from '../../src/adapters/shared/answers.js';
import { writeNodeAnswer } from '../../src/adapters/shared/node-bridge.js';
import type { EndReason } from '../../src/index.js';
import { generateSessionId, isValidSessionId, SessionManager } from '../../src/index.js';
import { requestIdOf } from '../../src/protocol.js';

/**
 * How the fixture answers requests that carry a session ID:
 * - `normal`: by the session manager (404 `SESSION_EXPIRED` / `SESSION_NOT_FOUND` when gone);
 * - `lose-every-session`: 404 `SESSION_NOT_FOUND` to every request, even for a brand-new session
 *   (notifications still pass, so initialization completes);
 * - `foreign-text`: a plain-text 404, as a wrong route or a proxy would answer;
 * - `foreign-sdk`: the SDK server's own session 404 body (no `data.code`).
 */
export type FixtureMode = 'normal' | 'lose-every-session' | 'foreign-text' | 'foreign-sdk';

interface Live {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
}

function hasRequest(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) => typeof m === 'object' && m !== null && 'method' in m && 'id' in m && m.id !== undefined,
  );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/**
 * A small MCP server over real HTTP on 127.0.0.1: the SDK's Streamable HTTP transport and
 * `McpServer`, one per session, in front of a `SessionManager` whose 404 answers come from the
 * library's shared HTTP answers. Tools: `echo` (text), `whoami` (the session ID) and `hold`.
 */
export class FixtureServer {
  mode: FixtureMode = 'normal';
  /** When true, `initialize` is answered 503, as by a server that is down. */
  refuseInitialize = false;
  /** When true, the next `hold` call waits until its session ends; later ones answer at once. */
  holdNext = false;
  /** `hold` calls so far. */
  holdCalls = 0;
  readonly #holdWaiters: Array<() => void> = [];
  /** Successful `initialize` requests so far. */
  initializeCount = 0;
  /** Responses started and not yet finished (open streams included). */
  openResponses = 0;
  manager = new SessionManager({ idleTtlMs: 0 });
  readonly #live = new Map<string, Live>();
  readonly #http: Server;
  /** Sockets that carried at least one request and are still open. */
  readonly #usedSockets = new Set<Socket>();

  private constructor() {
    this.#http = createServer((req, res) => {
      const socket = req.socket;
      if (!this.#usedSockets.has(socket)) {
        this.#usedSockets.add(socket);
        socket.once('close', () => this.#usedSockets.delete(socket));
      }
      this.openResponses += 1;
      res.once('close', () => {
        this.openResponses -= 1;
      });
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(error));
      });
    });
  }

  /** Starts a fixture on a random loopback port. */
  static async start(): Promise<FixtureServer> {
    const fixture = new FixtureServer();
    await new Promise<void>((resolve) => fixture.#http.listen(0, '127.0.0.1', resolve));
    return fixture;
  }

  get url(): URL {
    const { port } = this.#http.address() as AddressInfo;
    return new URL(`http://127.0.0.1:${port}/mcp`);
  }

  /** Sessions whose transport is open here. */
  get liveSessions(): number {
    return this.#live.size;
  }

  /** Ends a session as the manager would (idle sweep, DELETE, ...). */
  endSession(id: string, reason: EndReason): Promise<boolean> {
    return this.manager.end(id, reason);
  }

  /** Forgets every session, as a restarted process would: no tombstones survive. */
  async restart(): Promise<void> {
    await this.manager.close();
    this.manager = new SessionManager({ idleTtlMs: 0 });
  }

  /**
   * Connections that carried a request and stay open once idle keep-alive connections are closed:
   * those with a request or stream still in progress. (Connections a client's pool opened without
   * sending anything are not counted.)
   */
  busyConnections(): number {
    this.#http.closeIdleConnections();
    return this.#usedSockets.size;
  }

  async close(): Promise<void> {
    await this.manager.close();
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== '/mcp') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const header = req.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    if (id === undefined) {
      if (req.method === 'POST' && isInitializeRequest(body)) {
        if (this.refuseInitialize) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('Unavailable');
          return;
        }
        await this.#initialize(req, res, body);
        return;
      }
      writeNodeAnswer(res, badRequest('Missing mcp-session-id header.', requestIdOf(body)));
      return;
    }
    if (!isValidSessionId(id)) {
      writeNodeAnswer(res, badRequest('Malformed mcp-session-id header.', requestIdOf(body)));
      return;
    }
    if (this.mode !== 'normal' && (req.method !== 'POST' || hasRequest(body))) {
      this.#answerMode(res, body);
      return;
    }
    const resolution = await this.manager.touch(id);
    if (resolution.status !== 'active') {
      writeNodeAnswer(res, answerForResolution(resolution, requestIdOf(body)));
      return;
    }
    if (req.method === 'DELETE') {
      await this.manager.end(id, 'deleted');
      res.writeHead(200).end();
      return;
    }
    const live = this.#live.get(id);
    if (live === undefined) {
      writeNodeAnswer(res, sessionNotFound(undefined, requestIdOf(body)));
      return;
    }
    await live.transport.handleRequest(req, res, body);
  }

  #answerMode(res: ServerResponse, body: unknown): void {
    switch (this.mode) {
      case 'lose-every-session':
        writeNodeAnswer(res, sessionNotFound(undefined, requestIdOf(body)));
        return;
      case 'foreign-text':
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        return;
      case 'foreign-sdk':
        res.writeHead(404, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32001, message: 'Session not found' },
            id: null,
          }),
        );
        return;
      default:
        throw new Error(`unexpected mode ${this.mode}`);
    }
  }

  /** Resolves when the next `hold` call arrives. */
  nextHold(): Promise<void> {
    return new Promise((resolve) => this.#holdWaiters.push(resolve));
  }

  async #initialize(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const manager = this.manager;
    const server = new McpServer({ name: 'fixture', version: '1.0.0' });
    server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
      content: [{ type: 'text', text }],
    }));
    server.registerTool('hold', {}, async (extra) => {
      this.holdCalls += 1;
      for (const resolve of this.#holdWaiters.splice(0)) resolve();
      if (this.holdNext) {
        this.holdNext = false;
        await new Promise((resolve) => extra.signal.addEventListener('abort', resolve));
        return { content: [{ type: 'text', text: 'cut' }] };
      }
      return { content: [{ type: 'text', text: 'done' }] };
    });
    server.registerTool('whoami', {}, async (extra) => ({
      content: [{ type: 'text', text: extra.sessionId ?? '' }],
    }));
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: generateSessionId,
      onsessioninitialized: async (id) => {
        await manager.register(id, { kind: 'streamable-http' });
        this.#live.set(id, { transport, server });
        this.initializeCount += 1;
        manager.onEnd(id, async () => {
          this.#live.delete(id);
          await server.close();
        });
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && this.#live.get(id)?.transport === transport) this.#live.delete(id);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
}
