import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ListToolsResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectWithRecovery,
  parseSessionNotFound,
  type RecoveringClient,
  type RecoveryOptions,
  type SessionRecovery,
} from '../../src/client/index.js';
import { isSessionError } from '../../src/index.js';
import { FixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../support/wait.js';

let fixture: FixtureServer;
const open: RecoveringClient<Client>[] = [];

beforeEach(async () => {
  fixture = await FixtureServer.start();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await fixture.close();
});

async function connect(options: RecoveryOptions = {}): Promise<RecoveringClient<Client>> {
  const url = fixture.url;
  const mcp = await connectWithRecovery(
    new Client({ name: 'test-client', version: '1.0.0' }),
    () => new StreamableHTTPClientTransport(url),
    options,
  );
  open.push(mcp);
  return mcp;
}

function textOf(result: Record<string, unknown>): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content[0]?.text ?? '';
}

async function echo(mcp: RecoveringClient<Client>, text: string): Promise<string> {
  return textOf(await mcp.callTool({ name: 'echo', arguments: { text } }));
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('connectWithRecovery against a server that lost the session', () => {
  it.each(['idle', 'deleted'] as const)(
    'recovers from a session that ended (%s): the call succeeds on a new session',
    async (reason) => {
      const events: SessionRecovery[] = [];
      const mcp = await connect({ onRecover: (event) => events.push(event) });
      expect(await echo(mcp, 'before')).toBe('before');
      const lost = mcp.sessionId!;
      expect(lost).toBeTypeOf('string');

      expect(await fixture.endSession(lost, reason)).toBe(true);
      const started = Date.now();
      expect(await echo(mcp, 'after')).toBe('after');

      expect(fixture.initializeCount).toBe(2);
      expect(mcp.sessionId).toBeTypeOf('string');
      expect(mcp.sessionId).not.toBe(lost);
      expect(textOf(await mcp.callTool({ name: 'whoami' }))).toBe(mcp.sessionId);
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event).toMatchObject({
        status: 404,
        code: 'SESSION_EXPIRED',
        reason,
        previousSessionId: lost,
        sessionId: mcp.sessionId,
      });
      expect(event!.endedAt).toBeGreaterThan(started - 60_000);
      expect(event!.endedAt).toBeLessThanOrEqual(Date.now());
      expect(parseSessionNotFound(event!.error)?.code).toBe('SESSION_EXPIRED');
    },
  );

  it('recovers from SESSION_NOT_FOUND after the server restarted with no memory of it', async () => {
    const events: SessionRecovery[] = [];
    const mcp = await connect({ onRecover: (event) => events.push(event) });
    const lost = mcp.sessionId;
    await fixture.restart();

    expect(await echo(mcp, 'again')).toBe('again');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      code: 'SESSION_NOT_FOUND',
      previousSessionId: lost,
      sessionId: mcp.sessionId,
    });
    expect(events[0]).not.toHaveProperty('reason');
    expect(events[0]).not.toHaveProperty('endedAt');
    expect(fixture.initializeCount).toBe(2);
  });

  it('retries exactly once: a server that loses every session gets one re-initialization per call', async () => {
    let recoveries = 0;
    const mcp = await connect({ onRecover: () => recoveries++ });
    fixture.mode = 'lose-every-session';

    const first = await rejectionOf(echo(mcp, 'x'));
    expect(first).toBeInstanceOf(StreamableHTTPError);
    expect(parseSessionNotFound(first)?.code).toBe('SESSION_NOT_FOUND');
    expect(fixture.initializeCount).toBe(2);
    expect(recoveries).toBe(1);

    const second = await rejectionOf(echo(mcp, 'y'));
    expect(parseSessionNotFound(second)?.code).toBe('SESSION_NOT_FOUND');
    expect(fixture.initializeCount).toBe(3);
    expect(recoveries).toBe(2);
  });

  it.each(['foreign-text', 'foreign-sdk'] as const)(
    'passes a 404 that is not a session answer through unchanged (%s)',
    async (mode) => {
      let recoveries = 0;
      const mcp = await connect({ onRecover: () => recoveries++ });
      const session = mcp.sessionId;
      fixture.mode = mode;

      const error = await rejectionOf(echo(mcp, 'x'));
      expect(error).toBeInstanceOf(StreamableHTTPError);
      expect((error as StreamableHTTPError).code).toBe(404);
      expect((error as Error).message).toContain(
        mode === 'foreign-text' ? 'Not Found' : 'Session not found',
      );
      expect(parseSessionNotFound(error)).toBeUndefined();
      expect(recoveries).toBe(0);
      expect(fixture.initializeCount).toBe(1);
      expect(mcp.sessionId).toBe(session);

      fixture.mode = 'normal';
      expect(await echo(mcp, 'still here')).toBe('still here');
      expect(mcp.sessionId).toBe(session);
    },
  );

  it('recovers from a foreign 404 when a custom recognize accepts it', async () => {
    const events: SessionRecovery[] = [];
    const mcp = await connect({
      recognize: (error) =>
        error instanceof StreamableHTTPError && error.code === 404
          ? { status: 404, code: 'SESSION_NOT_FOUND' }
          : undefined,
      onRecover: (event) => {
        events.push(event);
        fixture.mode = 'normal';
      },
    });
    fixture.mode = 'foreign-sdk';

    expect(await echo(mcp, 'ok')).toBe('ok');
    expect(events).toHaveLength(1);
    expect(fixture.initializeCount).toBe(2);
  });

  it('shares one re-initialization among concurrent calls that fail together', async () => {
    const events: SessionRecovery[] = [];
    const mcp = await connect({ onRecover: (event) => events.push(event) });
    await fixture.endSession(mcp.sessionId!, 'idle');

    const texts = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const results = await Promise.all([
      ...texts.map((text) => echo(mcp, text)),
      mcp.callTool({ name: 'whoami' }).then(textOf),
    ]);

    expect(results.slice(0, texts.length)).toEqual(texts);
    expect(results[texts.length]).toBe(mcp.sessionId);
    expect(fixture.initializeCount).toBe(2);
    expect(events).toHaveLength(1);
    expect(fixture.liveSessions).toBe(1);
  });

  it('shares one re-initialization among calls whose 404s arrive together', async () => {
    const count = 6;
    const held: Array<() => void> = [];
    /** The real fetch, holding 404 answers to POSTs until `count` of them have arrived. */
    const gatheringFetch = async (url: string | URL, init?: RequestInit) => {
      const response = await fetch(url, init);
      if (response.status === 404 && init?.method === 'POST') {
        await new Promise<void>((release) => {
          held.push(release);
          if (held.length === count) for (const r of held.splice(0)) r();
        });
      }
      return response;
    };
    const events: SessionRecovery[] = [];
    const url = fixture.url;
    const mcp = await connectWithRecovery(
      new Client({ name: 'test-client', version: '1.0.0' }),
      () => new StreamableHTTPClientTransport(url, { fetch: gatheringFetch }),
      { onRecover: (event) => events.push(event) },
    );
    open.push(mcp);
    await fixture.endSession(mcp.sessionId!, 'idle');

    const texts = Array.from({ length: count }, (_, i) => `call-${i}`);
    expect(await Promise.all(texts.map((text) => echo(mcp, text)))).toEqual(texts);
    expect(fixture.initializeCount).toBe(2);
    expect(events).toHaveLength(1);
  });

  it('re-sends, once, a request left unanswered in flight when its session ended', async () => {
    const mcp = await connect();
    fixture.holdNext = true;
    const holding = fixture.nextHold();
    const held = mcp.callTool({ name: 'hold' });
    await holding;
    expect(fixture.holdCalls).toBe(1);
    await fixture.endSession(mcp.sessionId!, 'deleted');

    expect(await echo(mcp, 'next')).toBe('next');
    expect(textOf(await held)).toBe('done');
    expect(fixture.holdCalls).toBe(2);
    expect(fixture.initializeCount).toBe(2);
  });

  it('recovers for every wrapped method and for run()', async () => {
    const mcp = await connect();
    await fixture.endSession(mcp.sessionId!, 'idle');
    const tools = await mcp.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['echo', 'hold', 'whoami']);

    await fixture.endSession(mcp.sessionId!, 'idle');
    expect(await mcp.ping()).toEqual({});

    await fixture.endSession(mcp.sessionId!, 'idle');
    const listed = await mcp.run((client) =>
      client.request({ method: 'tools/list' }, ListToolsResultSchema),
    );
    expect(listed.tools).toHaveLength(3);
    expect(fixture.initializeCount).toBe(4);
  });

  it('surfaces a failed re-initialization and reconnects on the next call', async () => {
    const events: SessionRecovery[] = [];
    const mcp = await connect({ onRecover: (event) => events.push(event) });
    const lost = mcp.sessionId;
    await fixture.endSession(lost!, 'idle');
    fixture.refuseInitialize = true;

    const error = await rejectionOf(echo(mcp, 'x'));
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(503);
    expect(events).toHaveLength(0);

    fixture.refuseInitialize = false;
    expect(await echo(mcp, 'back')).toBe('back');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      code: 'SESSION_EXPIRED',
      reason: 'idle',
      previousSessionId: lost,
      sessionId: mcp.sessionId,
    });
    expect(fixture.initializeCount).toBe(2);
  });

  it('reports a throwing onRecover to the logger and still answers the call', async () => {
    const logged: unknown[] = [];
    const mcp = await connect({
      onRecover: () => {
        throw new Error('listener broke');
      },
      logger: { error: (message, details) => logged.push({ message, details }) },
    });
    await fixture.endSession(mcp.sessionId!, 'idle');

    expect(await echo(mcp, 'fine')).toBe('fine');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ message: 'onRecover failed' });
  });

  it('leaves no open streams, sockets or timers after close(), and refuses calls after it', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const mcp = await connect();
    await fixture.endSession(mcp.sessionId!, 'deleted');
    expect(await echo(mcp, 'x')).toBe('x');

    await mcp.close();
    await mcp.close();
    expect(mcp.closed).toBe(true);

    await waitFor(() => fixture.openResponses === 0, 'no open responses');
    expect(fixture.openResponses).toBe(0);
    await waitFor(() => fixture.busyConnections() === 0, 'no busy connections');
    expect(fixture.busyConnections()).toBe(0);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await waitFor(() => timers() <= timersBefore, 'no timers left');
    expect(timers()).toBeLessThanOrEqual(timersBefore);

    const error = await rejectionOf(echo(mcp, 'late'));
    expect(isSessionError(error, 'CLOSED')).toBe(true);
  });
});

describe('closing while a re-initialization runs', () => {
  it('lets it finish, closes the new connection, and rejects the waiting call with CLOSED', async () => {
    let closing: Promise<void> | undefined;
    const mcp: RecoveringClient<Client> = await connect({
      onRecover: () => {
        closing = mcp.close();
      },
    });
    await fixture.endSession(mcp.sessionId!, 'idle');

    const error = await rejectionOf(echo(mcp, 'x'));
    expect(isSessionError(error, 'CLOSED')).toBe(true);
    expect(closing).toBeInstanceOf(Promise);
    await closing;
    expect(fixture.initializeCount).toBe(2);
    await waitFor(() => fixture.openResponses === 0, 'no open responses');
    expect(fixture.openResponses).toBe(0);
    await waitFor(() => fixture.busyConnections() === 0, 'no busy connections');
    expect(fixture.busyConnections()).toBe(0);
  });
});

describe('connectWithRecovery arguments', () => {
  const url = new URL('http://127.0.0.1:9/mcp');
  const newTransport = () => new StreamableHTTPClientTransport(url);
  const client = () => new Client({ name: 'test-client', version: '1.0.0' });

  it('rejects bad options naming the field and the value', async () => {
    const error = await rejectionOf(
      connectWithRecovery(client(), newTransport, { onRecover: 5 } as never),
    );
    expect(isSessionError(error, 'INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toContain('`onRecover`');
    expect((error as Error).message).toContain('got 5');

    const unknown = await rejectionOf(
      connectWithRecovery(client(), newTransport, { retries: 3 } as never),
    );
    expect(isSessionError(unknown, 'INVALID_OPTION')).toBe(true);
    expect((unknown as Error).message).toContain('retries');
  });

  it('rejects something that is not a client or a transport factory', async () => {
    const notClient = await rejectionOf(connectWithRecovery({} as never, newTransport));
    expect(isSessionError(notClient, 'INVALID_ARGUMENT')).toBe(true);

    const notFactory = await rejectionOf(connectWithRecovery(client(), 'x' as never));
    expect(isSessionError(notFactory, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('rejects a client that is already connected', async () => {
    const connected = client();
    await connected.connect(new StreamableHTTPClientTransport(fixture.url));
    try {
      const error = await rejectionOf(connectWithRecovery(connected, newTransport));
      expect(isSessionError(error, 'INVALID_ARGUMENT')).toBe(true);
    } finally {
      await connected.close();
    }
  });
});
