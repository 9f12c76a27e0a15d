import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypedEvents } from '../../src/core/events.js';
import { type SessionFailure, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { waitFor } from '../support/wait.js';

const managers: SessionManager[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  vi.restoreAllMocks();
  unhandled.length = 0;
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

function setup() {
  process.on('unhandledRejection', onUnhandled);
  const manager = new SessionManager({ clock: new ManualClock(), autoStart: false });
  managers.push(manager);
  const failures: SessionFailure[] = [];
  manager.on('error', (failure) => failures.push(failure));
  return { manager, failures };
}

/** Lets Node run its unhandled-rejection check (after the microtask queue drains). */
function nextMacrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

describe('async listeners that reject', () => {
  it('an async ended listener that rejects is reported with phase listener, never unhandled', async () => {
    const { manager, failures } = setup();
    const bug = new Error('ended listener rejected');
    manager.on('ended', async () => {
      await Promise.resolve();
      throw bug;
    });
    const { id } = await manager.create();
    expect(await manager.end(id)).toBe(true);
    await waitFor(() => failures.length > 0, 'the listener failure to be reported');
    await nextMacrotasks();
    expect(failures).toEqual([{ phase: 'listener', error: bug, sessionId: id }]);
    expect(unhandled).toEqual([]);
  });

  it('an async created listener that rejects is reported the same way', async () => {
    const { manager, failures } = setup();
    const bug = new Error('created listener rejected');
    manager.on('created', () => Promise.reject(bug));
    await manager.create();
    await waitFor(() => failures.length > 0, 'the listener failure to be reported');
    await nextMacrotasks();
    expect(failures.map((f) => [f.phase, f.error])).toEqual([['listener', bug]]);
    expect(unhandled).toEqual([]);
  });

  it('an async error listener that rejects goes to the logger, not back to error listeners', async () => {
    process.on('unhandledRejection', onUnhandled);
    const logged: unknown[][] = [];
    const manager = new SessionManager({
      clock: new ManualClock(),
      autoStart: false,
      logger: { error: (...args: unknown[]) => logged.push(args) },
    });
    managers.push(manager);
    const bug = new Error('error listener rejected');
    let calls = 0;
    manager.on('error', async () => {
      calls++;
      throw bug;
    });
    manager.on('ended', () => {
      throw new Error('sync listener bug');
    });
    const { id } = await manager.create();
    await manager.end(id);
    await waitFor(() => logged.length >= 2, 'the rejected error listener to be logged');
    await nextMacrotasks();
    expect(calls).toBe(1);
    expect(logged[1]?.[1]).toMatchObject({ phase: 'listener', error: bug });
    expect(unhandled).toEqual([]);
  });

  it('a registry without a handler logs a rejection to console.error', async () => {
    process.on('unhandledRejection', onUnhandled);
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    const events = new TypedEvents<{ ping: (n: number) => void }>();
    const bug = new Error('ping listener rejected');
    events.on('ping', async () => {
      throw bug;
    });
    expect(events.emit('ping', 1)).toBeUndefined();
    await waitFor(() => console.mock.calls.length > 0, 'the rejection to be logged');
    await nextMacrotasks();
    expect(console.mock.calls).toEqual([
      ['mcp-sessions: an event listener rejected', { event: 'ping', error: bug }],
    ]);
    expect(unhandled).toEqual([]);
  });
});
