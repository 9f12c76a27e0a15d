import { afterEach } from 'vitest';
import { SessionManager, type SessionManagerOptions } from '../../src/index.js';
import {
  type ResourceClosedInfo,
  type ResourceFailure,
  SessionResources,
  type SessionResourcesOptions,
} from '../../src/resources/index.js';
import { ManualClock } from '../../src/testing/index.js';

/** A resource that counts how often it was closed. */
export class FakeResource {
  closes = 0;
  constructor(
    readonly sessionId: string,
    readonly key: string,
  ) {}
  close(): void {
    this.closes++;
  }
}

/** A promise with its resolve and reject functions. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/**
 * A manager on a manual clock (no sweeper) and a pool of {@link FakeResource}s, recording every
 * resource made, every `closed` event and every contained failure.
 */
export function setup(
  options: Partial<SessionResourcesOptions<FakeResource>> = {},
  managerOptions: SessionManagerOptions = {},
) {
  const clock = new ManualClock();
  const manager = new SessionManager({
    clock,
    autoStart: false,
    idleTtlMs: 60_000,
    ...managerOptions,
  });
  const made: FakeResource[] = [];
  const pool = new SessionResources<FakeResource>(manager, {
    create: ({ sessionId, key }) => {
      const resource = new FakeResource(sessionId, key);
      made.push(resource);
      return resource;
    },
    autoStart: false,
    ...options,
  });
  const closed: ResourceClosedInfo[] = [];
  const failures: ResourceFailure[] = [];
  pool.on('closed', (info) => closed.push(info));
  pool.on('error', (failure) => failures.push(failure));
  return { clock, manager, pool, made, closed, failures };
}

/**
 * `setup` for one describe block: every pool and manager it makes is closed after each test.
 * Call it inside `describe`.
 */
export function trackedSetup(): typeof setup {
  const open: ReturnType<typeof setup>[] = [];
  afterEach(async () => {
    for (const { pool, manager } of open.splice(0)) {
      await pool.close();
      await manager.close();
    }
  });
  return ((...args: Parameters<typeof setup>) => {
    const w = setup(...args);
    open.push(w);
    return w;
  }) as typeof setup;
}
