import { describe, expect, it } from 'vitest';
import {
  MemoryStore,
  SessionError,
  SessionManager,
  type SessionManagerOptions,
} from '../../src/index.js';

function optionError(options: unknown): SessionError {
  try {
    new SessionManager(options as SessionManagerOptions);
  } catch (error) {
    if (error instanceof SessionError) return error;
    throw error;
  }
  throw new Error('expected the constructor to throw');
}

describe('SessionManager options', () => {
  it.each([
    [
      'idleTtlMs',
      -1,
      /`idleTtlMs`: expected an integer number of ms from 0 \(never\) to 31536000000 \(365 days\), got -1/,
    ],
    ['idleTtlMs', 1.5, /`idleTtlMs`.*got 1\.5/],
    ['idleTtlMs', '1000', /`idleTtlMs`.*got "1000"/],
    ['idleTtlMs', 31_536_000_001, /`idleTtlMs`.*got 31536000001/],
    ['maxLifetimeMs', -5, /`maxLifetimeMs`: expected an integer number of ms from 0 \(none\)/],
    [
      'sweepIntervalMs',
      0,
      /`sweepIntervalMs`: expected an integer number of ms from 1 to 2147483647, got 0/,
    ],
    ['sweepIntervalMs', 2_147_483_648, /`sweepIntervalMs`.*got 2147483648/],
    ['sweepBatchSize', 0, /`sweepBatchSize`: expected an integer from 1 to 100000, got 0/],
    ['tombstoneTtlMs', Number.NaN, /`tombstoneTtlMs`.*got NaN/],
    ['maxTombstones', -1, /`maxTombstones`: expected an integer from 0 to 10000000, got -1/],
    ['maxSessions', 0, /`maxSessions`: expected an integer >= 1, or Infinity, got 0/],
    ['maxSessions', -Infinity, /`maxSessions`.*got -Infinity/],
    [
      'maxSessionsPerOwner',
      0,
      /`maxSessionsPerOwner`: expected an integer >= 1, or Infinity, got 0/,
    ],
    ['maxSessionsPerOwner', 2.5, /`maxSessionsPerOwner`.*got 2\.5/],
    ['maxSessionsPerOwner', '3', /`maxSessionsPerOwner`.*got "3"/],
    ['capacityPolicy', 'drop', /`capacityPolicy`: expected 'reject' or 'evict-oldest', got "drop"/],
    ['generateId', 'uuid', /`generateId`: expected a function returning a string ID, got "uuid"/],
    ['clock', { now: 5 }, /`clock`: expected an object with a now\(\) method/],
    ['store', {}, /`store`: expected a SessionStore/],
    ['logger', 'console', /`logger`/],
    ['hookTimeoutMs', 0, /`hookTimeoutMs`.*got 0/],
    ['autoStart', 'yes', /`autoStart`: expected true or false, got "yes"/],
  ])('rejects %s = %o naming the field, the value and the range', (field, value, message) => {
    const error = optionError({ [field]: value });
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(message);
  });

  it('rejects unknown options and lists the accepted ones', () => {
    const error = optionError({ idleTTL: 5 });
    expect(error.code).toBe('INVALID_OPTION');
    expect(error.message).toMatch(
      /Unknown SessionManager option `idleTTL`; accepted options: store, idleTtlMs/,
    );
  });

  it('rejects a non-object', () => {
    expect(optionError(42).message).toMatch(/options must be an object, got 42/);
  });

  it('applies the documented defaults', () => {
    const manager = new SessionManager({ autoStart: false });
    expect(manager.policy).toEqual({
      idleTtlMs: 1_800_000,
      maxLifetimeMs: 0,
      tombstoneTtlMs: 86_400_000,
      maxTombstones: 100_000,
      maxSessions: 10_000,
      maxSessionsPerOwner: Infinity,
    });
    expect(Object.isFrozen(manager.policy)).toBe(true);
    expect(manager.store).toBeInstanceOf(MemoryStore);
    expect(manager.running).toBe(false);
  });

  it('treats 0 as a value, never as "use the default"', () => {
    const manager = new SessionManager({
      idleTtlMs: 0,
      tombstoneTtlMs: 0,
      maxTombstones: 0,
      autoStart: false,
    });
    expect(manager.policy).toMatchObject({ idleTtlMs: 0, tombstoneTtlMs: 0, maxTombstones: 0 });
  });

  it('accepts Infinity for maxSessions', () => {
    const manager = new SessionManager({ maxSessions: Infinity, autoStart: false });
    expect(manager.policy.maxSessions).toBe(Infinity);
  });

  it('takes maxSessionsPerOwner into the store policy', () => {
    const manager = new SessionManager({ maxSessionsPerOwner: 3, autoStart: false });
    expect(manager.policy.maxSessionsPerOwner).toBe(3);
  });
});
