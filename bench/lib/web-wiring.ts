/**
 * The SDK's Web-standard transport on node:http, fed either a real `Request` or a light object
 * with only what the transport reads (`method`, `url`, `headers`), as `@hono/node-server` does:
 * everything else is the same, so the difference in server CPU per call is the cost of building
 * `Request` objects (its constructor and the `AbortSignal` each one creates).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

/** What the wirings need of the MCP server built per session. */
export interface SessionServer {
  connect(transport: Transport): Promise<void>;
}

/** A node:http listener and the number of sessions it holds. */
export interface Wiring {
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  size: () => number;
}

/** Reads and parses a JSON request body. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** The request the transport is handed: a real `Request`, or the light object. */
function webRequestOf(req: IncomingMessage, light: boolean): Request {
  const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
  const method = req.method ?? 'GET';
  const headers = headersOf(req);
  if (!light) return new Request(url, { method, headers });
  // The transport reads only these three; the cast states that, it does not widen what it gets.
  return { method, url, headers } as unknown as Request;
}

/** Writes `response` to `res`; `flush`: send the headers at once (a GET stream may stay silent). */
async function send(res: ServerResponse, response: Response, flush: boolean): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (flush) res.flushHeaders();
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => {
    reader.cancel().catch(() => {});
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}

/**
 * A `Map` of Web-standard transports (the SDK's example wiring, no TTL) behind node:http,
 * handing each request to the transport as a real `Request` (`light: false`) or as the light
 * object (`light: true`).
 */
export function webWiring(light: boolean, createServer: () => SessionServer): Wiring {
  const transports = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const parsedBody = req.method === 'POST' ? await readJson(req) : undefined;
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (transport === undefined && id === undefined && isInitializeRequest(parsedBody)) {
      const created: WebStandardStreamableHTTPServerTransport =
        new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sid) => {
            transports.set(sid, created);
          },
        });
      created.onclose = () => {
        if (created.sessionId !== undefined) transports.delete(created.sessionId);
      };
      await createServer().connect(created);
      transport = created;
    }
    if (transport === undefined) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request"},"id":null}');
      return;
    }
    const response = await transport.handleRequest(webRequestOf(req, light), { parsedBody });
    await send(res, response, req.method === 'GET');
  };
  return {
    listener: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        console.error(error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
    size: () => transports.size,
  };
}
