import { afterEach, describe, expect, it } from 'vitest';
import { trackedSetup } from '../support/resources.js';
import { waitFor } from '../support/wait.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
  unhandled.length = 0;
});

/** Lets Node run its unhandled-rejection check (after the microtask queue drains). */
function nextMacrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

describe('resource pool: async listeners that reject', () => {
  const setup = trackedSetup();

  it('an async created listener that rejects is reported with phase listener, never unhandled', async () => {
    process.on('unhandledRejection', onUnhandled);
    const { manager, pool, failures } = setup();
    const bug = new Error('created listener rejected');
    pool.on('created', async () => {
      await Promise.resolve();
      throw bug;
    });
    const { id } = await manager.create();
    await pool.get(id, 'browser');
    await waitFor(() => failures.length > 0, 'the listener failure to be reported');
    await nextMacrotasks();
    expect(failures).toEqual([{ phase: 'listener', error: bug, sessionId: id, key: 'browser' }]);
    expect(unhandled).toEqual([]);
  });

  it('an async error listener that rejects goes to the logger, not back to error listeners', async () => {
    process.on('unhandledRejection', onUnhandled);
    const logged: unknown[][] = [];
    const { manager, pool, failures } = setup({
      logger: { error: (...args) => logged.push(args) },
    });
    const bug = new Error('created listener rejected');
    const errorBug = new Error('error listener rejected');
    pool.on('created', () => Promise.reject(bug));
    pool.on('error', () => Promise.reject(errorBug));
    const { id } = await manager.create();
    await pool.get(id, 'browser');
    await waitFor(
      () => logged.some(([, details]) => (details as { error: unknown }).error === errorBug),
      'the error listener failure to be logged',
    );
    await nextMacrotasks();
    expect(failures.map((f) => f.error)).toEqual([bug]);
    expect(unhandled).toEqual([]);
  });
});
