import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { describe, expect, it } from 'vitest';
import { SseHandler } from '../../src/adapters/sse/index.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { resolveHandlerOptions } from '../../src/adapters/streamable-http/options.js';
import { SessionError, SessionManager } from '../../src/index.js';
import { LoopbackBus } from '../support/loopback-relay.js';

function optionError(run: () => unknown): SessionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe('INVALID_OPTION');
    return error as SessionError;
  }
  throw new Error('expected an INVALID_OPTION error');
}

const RELAY_ACCEPTED =
  'expected a SessionRelay (listen, send, broadcast, holdStream, releaseStream, streamHolder) whose replicaId is 1 to 32 characters of [A-Za-z0-9_-]';

describe('fleet options of the handlers', () => {
  const sessions = new SessionManager({ autoStart: false });
  const createServer = () => new McpServer({ name: 'x', version: '1' });

  it('default to no relay, the shared event log on, and a 5 minute local idle time', () => {
    const o = resolveHandlerOptions({ sessions, createServer });
    expect(o.relay).toBeUndefined();
    expect(o.eventLog).toBe(true);
    expect(o.localIdleMs).toBe(300_000);
    const relay = new LoopbackBus().relay('r1');
    const set = resolveHandlerOptions({
      sessions,
      createServer,
      relay,
      eventLog: false,
      localIdleMs: 0,
    });
    expect(set.relay).toBe(relay);
    expect(set.eventLog).toBe(false);
    expect(set.localIdleMs).toBe(0);
  });

  it('refuse a relay without its methods or with a bad replica ID, on both handlers', () => {
    const good = new LoopbackBus().relay('r1');
    const bad = [
      { replicaId: 'r1' },
      Object.assign(Object.create(good), { replicaId: 'has.dot' }),
      Object.assign(Object.create(good), { replicaId: '' }),
      Object.assign(Object.create(good), { replicaId: 'x'.repeat(33) }),
      'relay',
    ];
    for (const relay of bad) {
      for (const build of [
        () => new StreamableHttpHandler({ sessions, createServer, relay: relay as never }),
        () => new SseHandler({ sessions, createServer, relay: relay as never }),
      ]) {
        const { message } = optionError(build);
        expect(message).toContain('option `relay`');
        expect(message).toContain(RELAY_ACCEPTED);
      }
    }
  });

  it('refuse an eventLog that is not a boolean and a localIdleMs out of range', () => {
    expect(
      optionError(() => new StreamableHttpHandler({ sessions, createServer, eventLog: 1 as never }))
        .message,
    ).toBe('Invalid StreamableHttpHandler option `eventLog`: expected true or false, got 1.');
    for (const localIdleMs of [-1, 1.5, 2_147_483_648]) {
      expect(
        optionError(() => new StreamableHttpHandler({ sessions, createServer, localIdleMs }))
          .message,
      ).toBe(
        `Invalid StreamableHttpHandler option \`localIdleMs\`: expected an integer number of ms from 0 (keep) to 2147483647, got ${localIdleMs}.`,
      );
    }
  });
});
