import { describe, expect, it, onTestFinished } from 'vitest';
import { PeriodicJob, unrefTimer, withTimeout } from '../../src/core/timers.js';

describe('withTimeout', () => {
  it('answers what the work answers, sync or async', async () => {
    await expect(
      withTimeout(
        () => 7,
        1000,
        () => new Error('late'),
      ),
    ).resolves.toBe(7);
    await expect(
      withTimeout(
        async () => 'x',
        1000,
        () => new Error('late'),
      ),
    ).resolves.toBe('x');
  });

  it('turns a synchronous throw into a rejection with the same error', async () => {
    const boom = new Error('boom');
    const run = withTimeout(
      () => {
        throw boom;
      },
      1000,
      () => new Error('late'),
    );
    await expect(run).rejects.toBe(boom);
  });

  it('rejects with the timeout error when the work never settles', async () => {
    const late = new Error('late');
    await expect(
      withTimeout(
        () => new Promise(() => {}),
        1,
        () => late,
      ),
    ).rejects.toBe(late);
  });
});

describe('PeriodicJob', () => {
  it('runs its job on an interval between start and stop; both are idempotent', async () => {
    let runs = 0;
    let reached: () => void = () => {};
    const third = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const job = new PeriodicJob(() => {
      if (++runs === 3) reached();
    }, 1);
    onTestFinished(() => job.stop());
    expect(job.running).toBe(false);
    job.start();
    job.start();
    expect(job.running).toBe(true);
    await third;
    job.stop();
    job.stop();
    expect(job.running).toBe(false);
    const stoppedAt = runs;
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(stoppedAt);
  });
});

describe('unrefTimer', () => {
  it('unrefs a Node timer and answers it; a handle without unref passes through', () => {
    const timer = unrefTimer(setTimeout(() => {}, 60_000));
    onTestFinished(() => clearTimeout(timer));
    expect(timer.hasRef()).toBe(false);
    expect(unrefTimer(42)).toBe(42);
  });
});
