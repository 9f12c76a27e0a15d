import { type ClientRequest, request } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StreamableHttpGate,
  StreamableHttpHandler,
} from '../../src/adapters/streamable-http/index.js';
import { SessionManager, type SessionStore } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';
import {
  initializeRequest,
  postHeaders,
  rawInitialize,
  waitFor,
  within,
} from '../support/harness.js';
import { type Door, serveDoor } from '../support/http.js';
import { Latch } from '../support/latch.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const closable of open.splice(0).reverse()) await closable.close();
});

/**
 * A real store whose `touch` (what `acquire` calls) waits at `held` while it is set; `touched`
 * counts the touches that answered.
 */
class SlowStore extends FaultyStore {
  held: Latch | undefined;
  touched = 0;
  /** Where `create` waits while set. */
  heldCreate: Latch | undefined;
  created = 0;

  override create: SessionStore['create'] = async (...args) => {
    await this.heldCreate?.pass();
    const result = await this.inner.create(...args);
    this.created++;
    return result;
  };

  override touch: SessionStore['touch'] = async (...args) => {
    await this.held?.pass();
    const lookup = await this.inner.touch(...args);
    this.touched++;
    return lookup;
  };
}

/** Opens the session's GET stream on a connection of its own; answers the request to abort. */
function openStream(port: number, sessionId: string): ClientRequest {
  const req = request({
    host: '127.0.0.1',
    port,
    path: '/mcp',
    agent: false,
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
  });
  req.on('error', () => undefined);
  req.end();
  return req;
}

function setup() {
  const clock = new ManualClock();
  const store = new SlowStore();
  const sessions = new SessionManager({ store, clock, idleTtlMs: 1000, autoStart: false });
  open.push(sessions);
  return { clock, store, sessions };
}

/**
 * The client goes away while `acquire` waits on the store; once the store answers, the session
 * must be released and idle out.
 */
async function leaveDuringAcquire(
  door: Door,
  { clock, store, sessions }: ReturnType<typeof setup>,
) {
  const { port, closed } = await serveDoor(door);
  const id = await rawInitialize(`http://127.0.0.1:${port}/mcp`);
  const closedBefore = closed();
  const held = new Latch();
  store.held = held;
  const stream = openStream(port, id);
  await held.arrivals(1);
  stream.destroy();
  await waitFor(() => closed() === closedBefore + 1, 'the server to see the client go');
  const touched = store.touched;
  held.open();
  await waitFor(() => store.touched > touched, 'the held acquire to answer');
  await waitFor(async () => (await sessions.stats()).pinned === 0, 'the session released');
  clock.advance(1001);
  expect(await sessions.sweep()).toBe(1);
  const resolution = await sessions.resolve(id);
  expect(resolution.status === 'ended' && resolution.tombstone.reason).toBe('idle');
}

describe('a client that leaves while its request is admitted leaves nothing pinned', () => {
  it('on the handler’s node door', async () => {
    const setting = setup();
    const handler = new StreamableHttpHandler({
      sessions: setting.sessions,
      createServer: () => new McpServer({ name: 'gone', version: '1.0.0' }),
    });
    open.push(handler);
    await leaveDuringAcquire(handler.node, setting);
  });

  it('on the gate', async () => {
    const setting = setup();
    await leaveDuringAcquire(gateDoor(setting.sessions), setting);
  });

  it('on the gate, during initialize: the new session is ended at once', async () => {
    const { store, sessions } = setup();
    const { port, closed } = await serveDoor(gateDoor(sessions));
    const held = new Latch();
    store.heldCreate = held;
    const ended = new Promise<string>((resolve) => {
      sessions.on('ended', (info) => resolve(info.reason));
    });
    const init = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/mcp',
      agent: false,
      headers: postHeaders(),
    });
    init.on('error', () => undefined);
    init.end(JSON.stringify(initializeRequest()));
    await held.arrivals(1);
    init.destroy();
    await waitFor(() => closed() === 1, 'the server to see the client go');
    held.open();
    expect(await within(ended, 'the session end')).toBe('closed');
    expect((await sessions.stats()).live).toBe(0);
  });
});

/** The SDK's example server behind the gate. */
function gateDoor(sessions: SessionManager): Door {
  const gate = new StreamableHttpGate({ sessions });
  const transports = new Map<string, StreamableHTTPServerTransport>();
  return async (req, res) => {
    let body: unknown;
    if (req.method === 'POST') {
      let text = '';
      for await (const chunk of req) text += chunk;
      body = JSON.parse(text);
    }
    const pass = await gate.admit(req, res, body);
    if (pass === undefined) return;
    let transport = transports.get(pass.sessionId);
    if (transport === undefined) {
      transport = new StreamableHTTPServerTransport(pass.transportOptions());
      transports.set(pass.sessionId, transport);
      const server = new McpServer({ name: 'gone', version: '1.0.0' });
      pass.closeOnEnd(transport, server, () => transports.delete(pass.sessionId));
      await server.connect(transport);
    }
    await transport.handleRequest(req, res, pass.body);
  };
}
