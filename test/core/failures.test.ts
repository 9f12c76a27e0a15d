import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypedEvents } from '../../src/core/events.js';
import { type ContainedFailure, reportFailure } from '../../src/core/failures.js';

type Events = { error: (failure: ContainedFailure) => void };

const failure = { phase: 'close', error: new Error('nope'), sessionId: '0123456789abcdef' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reportFailure', () => {
  it('emits the failure and logs it, masked, to the logger when it has error()', () => {
    const events = new TypedEvents<Events>();
    const seen: ContainedFailure[] = [];
    events.on('error', (f) => seen.push(f));
    const logged: unknown[] = [];
    const logger = {
      error: (message: string, details?: unknown) => logged.push([message, details]),
    };
    reportFailure(events, logger, 'contained', failure);
    expect(seen).toEqual([failure]);
    expect(logged).toEqual([
      ['contained', { phase: 'close', session: '01234567…', error: failure.error }],
    ]);
  });

  it('keeps a key when the failure has one', () => {
    const logged: unknown[] = [];
    const logger = { error: (_: string, details?: unknown) => logged.push(details) };
    reportFailure(new TypedEvents<Events>(), logger, 'contained', { ...failure, key: 'db' });
    expect(logged).toEqual([
      { phase: 'close', session: '01234567…', key: 'db', error: failure.error },
    ]);
  });

  it('is quiet when a listener took the failure and there is no logger', () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    const events = new TypedEvents<Events>();
    events.on('error', () => {});
    reportFailure(events, undefined, 'contained', failure);
    expect(console).not.toHaveBeenCalled();
  });

  it('falls back to console.error when nobody listens, or with the errors of a throwing listener', () => {
    const console = vi.spyOn(globalThis.console, 'error').mockImplementation(() => {});
    reportFailure(new TypedEvents<Events>(), {}, 'contained', failure);
    expect(console).toHaveBeenCalledTimes(1);
    const events = new TypedEvents<Events>();
    const bug = new Error('listener bug');
    events.on('error', () => {
      throw bug;
    });
    reportFailure(events, undefined, 'contained', failure);
    expect(console).toHaveBeenCalledTimes(2);
    expect(console.mock.calls[1]).toEqual([
      'contained',
      { phase: 'close', session: '01234567…', error: failure.error },
      bug,
    ]);
  });
});
