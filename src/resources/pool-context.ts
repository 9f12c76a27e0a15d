/**
 * The small view of a resource pool that its creation and closing modules work through.
 * Internal to the resource pool.
 *
 * @module
 */
import type { SessionManager } from '../core/session-manager.js';
import type { ResolvedResourceOptions } from './options.js';
import type { PoolState } from './pool-state.js';
import type { ResourceClosedInfo, ResourceFailure, ResourceInfo } from './types.js';

/** What creation and closing may see and do of their pool. */
export interface PoolContext<R> {
  readonly manager: SessionManager;
  readonly options: ResolvedResourceOptions<R>;
  readonly state: PoolState<R>;
  /** Emits `created`; a throwing listener is reported. */
  emitCreated(info: ResourceInfo): void;
  /** Emits `closed`; a throwing listener is reported. */
  emitClosed(info: ResourceClosedInfo): void;
  /** Reports a contained failure (`error` event and logger). */
  report(failure: ResourceFailure): void;
}
