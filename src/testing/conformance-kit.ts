/**
 * What the cases of the store conformance suite share: a fresh store per case, unique IDs,
 * the base of the fake timeline and the policy the cases run under. Internal to the suite.
 *
 * @module
 */
import { it } from 'vitest';
import type { SessionStore, StorePolicy } from '../core/store.js';

/** Names of the cases in the suite; every store must pass all of them. */
export type ConformanceCase =
  | 'create and get'
  | 'create if absent'
  | 'concurrent create'
  | 'unknown id'
  | 'touch'
  | 'owner check'
  | 'touch racing the sweep'
  | 'expired not revived'
  | 'revive pinned'
  | 'end'
  | 'claim'
  | 'claim exactly once'
  | 'claim limit'
  | 'lifetime'
  | 'tombstone expiry'
  | 'max tombstones'
  | 'capacity'
  | 'evict oldest'
  | 'evict exactly once'
  | 'pin visibility'
  | 'pin lapse'
  | 'count and list'
  | 'special characters'
  | 'update'
  | 'update conflict'
  | 'concurrent update'
  | 'update owner check'
  | 'update of a session that is not live'
  | 'versions in every record'
  | 'owner quota'
  | 'owner index on end and claim'
  | 'owner index on evict'
  | 'list by owner';

/** The policy of every case unless it says otherwise. */
export const BASE_POLICY: StorePolicy = Object.freeze({
  idleTtlMs: 1000,
  maxLifetimeMs: 0,
  tombstoneTtlMs: 10_000,
  maxTombstones: 1000,
  maxSessions: Infinity,
});

/** What a group of cases gets from the suite. */
export interface ConformanceKit {
  /** A store over an isolated namespace, closed and cleaned up after the suite. */
  fresh(): Promise<SessionStore>;
  /** A session ID no other case uses. */
  newId(): string;
  /** The base of the fake timeline, in ms (set before the first case runs). */
  readonly t0: number;
  /** Registers one case under its name. */
  case(title: ConformanceCase, body: () => Promise<void>): void;
}

/** Registers a case with vitest. */
export function conformanceCase(title: ConformanceCase, body: () => Promise<void>): void {
  it(title, body);
}
