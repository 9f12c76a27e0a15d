import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Transport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/server';
import express from 'express';
import { onTestFinished } from 'vitest';
import { z } from 'zod';
import {
  type ServerContext,
  StreamableHttpHandler,
  type V2HandlerOptions,
} from '../../src/adapters/v2/index.js';
import { SessionManager, type SessionManagerOptions, type SessionStore } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

/** How the endpoint is mounted: its node door on node:http or Express 5, or its fetch door. */
export type Mount = 'node' | 'express' | 'fetch';

/** What a tool call saw, as the `whoami` tool answers it. */
export interface Seen {
  readonly era: 'legacy' | 'modern';
  readonly session: string | null;
  /** Whether `ctx.http.req` was a Web `Request`-like object with a URL. */
  readonly hasReq: boolean;
  /** The `x-probe` header of `ctx.http.req`. */
  readonly probe: string | null;
}

/** Options of {@link startV2}. */
export interface V2Options {
  readonly mount?: Mount;
  readonly store?: SessionStore;
  readonly clock?: ManualClock;
  /** Manager options besides `store` and `clock`; `autoStart` is `false`. */
  readonly managerOptions?: Omit<SessionManagerOptions, 'store' | 'clock' | 'autoStart'>;
  readonly handlerOptions?: Omit<V2HandlerOptions, 'sessions' | 'createServer'>;
}

/** A running `mcp-sessions/v2` endpoint on 127.0.0.1. */
export interface V2Endpoint {
  readonly url: string;
  readonly handler: StreamableHttpHandler;
  readonly sessions: SessionManager;
  readonly clock: ManualClock;
  /** The contexts the factory was called with, in order. */
  readonly built: ServerContext[];
  /** Advances the clock by `ms`, then runs one sweep; answers how many sessions it ended. */
  passTime(ms: number): Promise<number>;
}

/** The tools every server of the endpoint has: `echo` and `whoami`. */
export function buildServer(context: ServerContext): McpServer {
  const server = new McpServer({ name: 'both-eras', version: '1.0.0' });
  server.registerTool(
    'echo',
    { inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({
      content: [{ type: 'text', text }],
    }),
  );
  server.registerTool('whoami', {}, async (ctx) => {
    const req = ctx.http?.req;
    const seen: Seen = {
      era: context.era,
      session: context.session?.id ?? null,
      hasReq: req !== undefined && typeof req.url === 'string' && req.url.length > 0,
      probe: req?.headers.get('x-probe') ?? null,
    };
    return { content: [{ type: 'text', text: JSON.stringify(seen) }] };
  });
  return server;
}

/** Serves `listener` on 127.0.0.1:0 until the test finishes; answers its `/mcp` URL. */
async function serve(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<string> {
  const http = createServer(listener);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
}

/** Serves a fetch-style handler over node:http (what Hono's or Deno's server would do). */
function fetchListener(fetchDoor: (request: Request) => Promise<Response>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
    const response = await fetchDoor(
      new Request(`http://${req.headers.host}${req.url}`, {
        method: req.method ?? 'GET',
        headers,
        ...(body === undefined ? {} : { body }),
      }),
    );
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    res.writeHead(response.status, out);
    if (response.body === null) return void res.end();
    const reader = response.body.getReader();
    res.once('close', () => void reader.cancel().catch(() => undefined));
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done || value === undefined) break;
      res.write(value);
    }
    res.end();
  };
}

/**
 * Starts one `mcp-sessions/v2` endpoint with a manual clock and no sweeper (idle expiry happens
 * when a test advances the clock and sweeps), closed with the test.
 */
export async function startV2(options: V2Options = {}): Promise<V2Endpoint> {
  const clock = options.clock ?? new ManualClock();
  const sessions = new SessionManager({
    ...options.managerOptions,
    clock,
    autoStart: false,
    ...(options.store === undefined ? {} : { store: options.store }),
  });
  const built: ServerContext[] = [];
  const handler = new StreamableHttpHandler({
    sessions,
    ...options.handlerOptions,
    createServer: (context) => {
      built.push(context);
      return buildServer(context);
    },
  });
  const mount = options.mount ?? 'node';
  let url: string;
  if (mount === 'express') {
    const app = express();
    app.all('/mcp', express.json(), handler.node);
    url = await serve(app);
  } else if (mount === 'fetch') {
    url = await serve(fetchListener((request) => handler.fetch(request)));
  } else {
    url = await serve((req, res) => void handler.node(req, res));
  }
  onTestFinished(async () => {
    await handler.close();
    await sessions.close();
  });
  return {
    url,
    handler,
    sessions,
    clock,
    built,
    passTime(ms) {
      clock.advance(ms);
      return sessions.sweep();
    },
  };
}

/** The negotiation modes of the SDK v2 client. */
export type Mode = 'legacy' | 'auto' | { pin: string };

/** A connected SDK v2 client (closed with the test) and its transport. */
export async function connectV2(
  url: string,
  mode: Mode,
  headers: Record<string, string> = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'v2', version: '1.0.0' }, { versionNegotiation: { mode } });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  onTestFinished(() => client.close());
  await client.connect(transport);
  return { client, transport };
}

/** A connected SDK v1 client (closed with the test) and its transport. */
export async function connectV1(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ client: V1Client; transport: V1Transport }> {
  const client = new V1Client({ name: 'v1', version: '1.0.0' });
  const transport = new V1Transport(new URL(url), { requestInit: { headers } });
  onTestFinished(() => client.close());
  await client.connect(transport);
  return { client, transport };
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string | undefined {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content;
  return content?.[0]?.text;
}

/** What `whoami` saw. */
export function seenOf(result: unknown): Seen {
  return JSON.parse(textOf(result) ?? 'null') as Seen;
}
