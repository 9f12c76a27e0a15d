/** HTTP load with autocannon: a fixed tool call over many sessions, latencies kept in full. */
import { createRequire } from 'node:module';
import { MODERN_HEADERS, MODERN_TOOL_CALL, POST_HEADERS, TOOL_CALL } from './mcp-client.js';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonInstance extends PromiseLike<{ duration: number; errors: number }> {
  on(
    event: 'response',
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void;
}
type Autocannon = (options: {
  url: string | string[];
  connections: number;
  duration: number;
  method: string;
  headers: Record<string, string>;
  body: string;
  setupClient: (client: { setHeaders(headers: Record<string, string>): void }) => void;
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** What one load run measured. */
export interface LoadFigures {
  /** 2xx answers per second. */
  rps: number;
  /** Latency percentiles of 2xx answers, in ms. */
  p50: number;
  p99: number;
  /** Answers other than 2xx, and connection errors. */
  failed: number;
  requests: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * Sends `tools/call echo` for `seconds` over `sessionIds.length` connections, connection *i*
 * using session `sessionIds[i]`, each connection with at most one request in flight. With
 * several URLs, connection *i* goes to `url[i % url.length]` (autocannon's order), so a session
 * named by several connections has requests in flight on several servers at once.
 */
export function toolCallLoad(
  url: string | readonly string[],
  sessionIds: readonly string[],
  seconds: number,
): Promise<LoadFigures> {
  let next = 0;
  return runLoad(url, sessionIds.length, seconds, POST_HEADERS, TOOL_CALL, (client) => {
    client.setHeaders({
      ...POST_HEADERS,
      'mcp-session-id': sessionIds[next++ % sessionIds.length]!,
    });
  });
}

/**
 * Sends a 2026-07-28 `tools/call echo` (no session: the protocol version in the headers and the
 * request's `_meta`, as the SDK v2 client sends it) for `seconds` over `connections`
 * connections, each with at most one request in flight.
 */
export function modernToolCallLoad(
  url: string,
  connections: number,
  seconds: number,
): Promise<LoadFigures> {
  return runLoad(url, connections, seconds, MODERN_HEADERS, MODERN_TOOL_CALL, undefined);
}

async function runLoad(
  url: string | readonly string[],
  connections: number,
  seconds: number,
  headers: Readonly<Record<string, string>>,
  body: string,
  setupClient:
    | ((client: { setHeaders(headers: Record<string, string>): void }) => void)
    | undefined,
): Promise<LoadFigures> {
  let latencies = new Float64Array(1 << 16);
  let ok = 0;
  let failed = 0;
  const instance = autocannon({
    url: typeof url === 'string' ? url : [...url],
    connections,
    duration: seconds,
    method: 'POST',
    headers: { ...headers },
    body,
    setupClient: setupClient ?? (() => {}),
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status < 200 || status >= 300) {
      failed++;
      return;
    }
    if (ok === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[ok++] = ms;
  });
  const result = await instance;
  const sorted = latencies.subarray(0, ok).sort();
  return {
    rps: ok / result.duration,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    failed: failed + result.errors,
    requests: ok + failed,
  };
}
