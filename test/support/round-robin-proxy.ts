import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy forwarded: where it went and what it was. */
export interface ProxiedRequest {
  /** Index of the upstream in the proxy's list. */
  readonly upstream: number;
  readonly method: string;
  /** Path and query. */
  readonly path: string;
}

/**
 * A round-robin HTTP proxy on 127.0.0.1, like a load balancer without sticky routing: each
 * request goes to the next upstream in turn (consecutive requests land on different upstreams),
 * skipping those marked down. Bodies stream both ways as they come, event streams included (no
 * buffering). An upstream that cannot be reached answers 502 before headers; one that dies
 * mid-answer cuts the client's connection. A client that leaves aborts its upstream request.
 */
export class RoundRobinProxy {
  /** Every request forwarded so far, in arrival order. */
  readonly log: ProxiedRequest[] = [];
  #upstreams: string[];
  readonly #down = new Set<number>();
  #next = 0;
  #aimed: { readonly index: number; readonly method: string } | undefined;
  readonly #agent = new Agent({ keepAlive: true });
  readonly #http: Server;

  private constructor(upstreams: string[]) {
    this.#upstreams = upstreams;
    this.#http = createServer((req, res) => this.#forward(req, res));
  }

  /**
   * Starts a proxy on a free port of 127.0.0.1 in front of `upstreams` (base URLs such as
   * `http://127.0.0.1:4000`).
   */
  static async start(upstreams: readonly string[]): Promise<RoundRobinProxy> {
    const proxy = new RoundRobinProxy([...upstreams]);
    await new Promise<void>((resolve) => proxy.#http.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The proxy's base URL. */
  get url(): string {
    const { port } = this.#http.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Replaces upstream `index` (a restarted replica on a new port) and marks it up. */
  replace(index: number, upstream: string): void {
    this.#upstreams[index] = upstream;
    this.#down.delete(index);
  }

  /** Stops (or, with `down = false`, resumes) sending requests to upstream `index`. */
  markDown(index: number, down = true): void {
    if (down) this.#down.add(index);
    else this.#down.delete(index);
  }

  /**
   * Sends the next request with HTTP method `method` to upstream `index` (if up), whatever the
   * turn; other requests keep taking turns meanwhile.
   */
  aim(index: number, method = 'POST'): void {
    this.#aimed = { index, method };
  }

  /** The upstream `req` goes to, advancing the turn; `undefined` when all are down. */
  #pick(req: IncomingMessage): number | undefined {
    const aimed = this.#aimed;
    if (aimed !== undefined && aimed.method === req.method && !this.#down.has(aimed.index)) {
      this.#aimed = undefined;
      return aimed.index;
    }
    for (let tried = 0; tried < this.#upstreams.length; tried++) {
      const index = this.#next % this.#upstreams.length;
      this.#next = index + 1;
      if (!this.#down.has(index)) return index;
    }
    return undefined;
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const index = this.#pick(req);
    if (index === undefined) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no upstream');
      return;
    }
    const path = req.url ?? '/';
    this.log.push({ upstream: index, method: req.method ?? 'GET', path });
    const target = new URL(path, this.#upstreams[index]);
    const upstream = httpRequest(target, {
      method: req.method,
      headers: { ...req.headers, host: target.host },
      agent: this.#agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      res.flushHeaders();
      answer.on('data', (chunk: Buffer) => res.write(chunk));
      answer.on('end', () => res.end());
      answer.on('close', () => {
        if (!answer.complete) res.destroy();
      });
    });
    upstream.on('error', () => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream unreachable');
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  /** Stops listening and cuts every connection, both sides. */
  async close(): Promise<void> {
    this.#http.closeAllConnections();
    this.#agent.destroy();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}
