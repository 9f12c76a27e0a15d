import { describe, expect, it, onTestFinished } from 'vitest';
import { SseFleet } from '../../src/adapters/sse/fleet.js';
import { SessionManager } from '../../src/index.js';
import { LoopbackBus } from '../support/loopback-relay.js';

describe('a legacy SSE stream opened on a relay', () => {
  it('is recorded as held before its opening resolves, so the endpoint is announced after', async () => {
    const bus = new LoopbackBus();
    const relay = bus.relay('A');
    let letHold: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      letHold = resolve;
    });
    const holdStream = relay.holdStream.bind(relay);
    relay.holdStream = async (id) => {
      await gate;
      await holdStream(id);
    };
    const sessions = new SessionManager({ autoStart: false });
    const logger = { warn: () => {} };
    const fleet = new SseFleet({
      relay,
      sessions,
      logger,
      find: () => undefined,
      dispose: () => {},
    });
    onTestFinished(async () => {
      await fleet.close();
      await sessions.close();
    });

    let opened = false;
    const opening = fleet.streamOpened('session-0000000001').then((release) => {
      opened = true;
      return release;
    });
    for (let n = 0; n < 20; n++) await Promise.resolve();
    expect(opened).toBe(false);
    expect(await relay.streamHolder('session-0000000001')).toBeUndefined();

    letHold();
    const release = await opening;
    expect(await relay.streamHolder('session-0000000001')).toBe('A');
    release();
  });
});
