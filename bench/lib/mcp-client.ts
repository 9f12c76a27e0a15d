/**
 * The client side of the HTTP benchmarks, in raw HTTP (fetch) to keep the load generator
 * cheap: initialize a session the way the SDK client does, hold its GET stream, call a tool,
 * DELETE it.
 */

/** Headers of every POST, as the SDK client sends them. */
export const POST_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
});

function initializeRequest(capabilities: Record<string, unknown>): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities,
      clientInfo: { name: 'bench', version: '1.0.0' },
    },
  });
}
const INITIALIZE = initializeRequest({});

const INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}';

/** `tools/call echo` with JSON-RPC ID `id`. */
export function toolCall(id: number): string {
  return `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}`;
}

/**
 * The request of the load runs, where each session has one request in flight at a time (IDs
 * must be unique among a session's requests in flight: the transport routes answers by ID).
 */
export const TOOL_CALL = toolCall(1);

/** The protocol revision without sessions, as SDK v2 clients pinned to it send it. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** Headers of a 2026-07-28 `tools/call echo`, as the SDK v2 client sends them. */
export const MODERN_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...POST_HEADERS,
  'mcp-protocol-version': MODERN_PROTOCOL_VERSION,
  'mcp-method': 'tools/call',
  'mcp-name': 'echo',
});

/** A 2026-07-28 `tools/call echo`: no session, the protocol and client in `_meta`. */
export const MODERN_TOOL_CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: {
    name: 'echo',
    arguments: { text: 'hi' },
    _meta: {
      'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
      'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0.0.0' },
      'io.modelcontextprotocol/clientCapabilities': {},
    },
  },
});

let lastId = 1;

/** POSTs a JSON-RPC body with the SDK client's headers, and the session's when given. */
export async function post(
  url: string,
  body: string,
  sessionId?: string,
  signal?: AbortSignal,
): Promise<Response> {
  const headers =
    sessionId === undefined ? POST_HEADERS : { ...POST_HEADERS, 'mcp-session-id': sessionId };
  const response = await fetch(url, { method: 'POST', headers, body, ...(signal && { signal }) });
  return response;
}

/** Options of {@link initialize}. */
export interface InitializeOptions {
  /** The client's capabilities, e.g. `{ elicitation: { form: {} } }`. @default {} */
  capabilities?: Record<string, unknown>;
  /** Where the initialized notification goes (another replica). @default the initialize URL */
  notifyUrl?: string;
}

/** Sends initialize and the initialized notification; answers the session ID. */
export async function initialize(url: string, options: InitializeOptions = {}): Promise<string> {
  const body =
    options.capabilities === undefined ? INITIALIZE : initializeRequest(options.capabilities);
  const response = await post(url, body);
  await response.text();
  const id = response.headers.get('mcp-session-id');
  if (response.status !== 200 || id === null) {
    throw new Error(`initialize answered ${response.status}`);
  }
  const done = await post(options.notifyUrl ?? url, INITIALIZED, id);
  await done.text();
  if (done.status !== 202) throw new Error(`notifications/initialized answered ${done.status}`);
  return id;
}

/** Calls the echo tool once, with a fresh JSON-RPC ID; throws unless it answered the echo. */
export async function callTool(url: string, sessionId: string): Promise<void> {
  const response = await post(url, toolCall(++lastId), sessionId);
  const text = await response.text();
  if (response.status !== 200 || !text.includes('hello')) {
    throw new Error(`tools/call answered ${response.status}: ${text.slice(0, 200)}`);
  }
}

/** Ends a session by DELETE; throws unless the server answered 200. */
export async function deleteSession(url: string, sessionId: string): Promise<void> {
  const response = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });
  await response.text();
  if (response.status !== 200) throw new Error(`DELETE answered ${response.status}`);
}

/** An open standalone GET stream, as the SDK client keeps one per session. */
export interface OpenStream {
  close(): Promise<void>;
}

/** Opens the session's GET stream and keeps reading it in the background until closed. */
export async function openStream(url: string, sessionId: string): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'GET',
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
    signal: abort.signal,
  });
  if (response.status !== 200 || response.body === null) {
    throw new Error(`GET stream answered ${response.status}`);
  }
  const reader = response.body.getReader();
  const drained = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      // Aborted by close().
    }
  })();
  return {
    async close() {
      abort.abort();
      await drained;
    },
  };
}

/**
 * Runs `task` `count` times with at most `concurrency` in flight; answers the elapsed seconds.
 * The first failure rejects (after the tasks in flight settle).
 */
export async function runBounded(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== undefined) throw failure;
  return (performance.now() - started) / 1000;
}
