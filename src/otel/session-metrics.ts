import {
  type Attributes,
  type BatchObservableResult,
  type Meter,
  metrics,
  type Observable,
  ValueType,
} from '@opentelemetry/api';
import { REJECTION_CAUSES, type RejectionCause } from '../core/counters.js';
import { SessionError } from '../core/errors.js';
import type { SessionManager } from '../core/session-manager.js';
import { END_REASONS } from '../core/types.js';
import { isObject } from '../core/validate.js';

/** Options of {@link registerSessionMetrics}. */
export interface SessionMetricsOptions {
  /** Where the instruments are made. @default `metrics.getMeter('mcp-sessions')` */
  meter?: Meter;
  /**
   * Attributes added to every point, e.g. `{ 'service.instance.id': replicaId }` to tell
   * replicas apart. @default none
   */
  attributes?: Attributes;
}

/** The `cause` attribute of `mcp_sessions.rejected`, by {@link RejectionCause}. */
const CAUSE_VALUES: Readonly<Record<RejectionCause, string>> = {
  capacity: 'capacity',
  ownerQuota: 'owner_quota',
  rateLimited: 'rate_limited',
  badInput: 'bad_input',
};

/**
 * Exports a session manager's counters through OpenTelemetry metrics, as observable
 * instruments read at each collection (nothing is recorded between collections, so a request
 * pays nothing for them):
 *
 * - `mcp_sessions.created` (counter, `{session}`): sessions created.
 * - `mcp_sessions.ended` (counter, `{session}`, attribute `reason`: one of `END_REASONS`):
 *   sessions ended, once per session across a fleet.
 * - `mcp_sessions.rejected` (counter, `{request}`, attribute `cause`: `capacity`,
 *   `owner_quota`, `rate_limited`, `bad_input`): creates and requests refused.
 * - `mcp_sessions.lookup.misses` (counter, `{request}`, attribute `result`: `not_found`,
 *   `expired`): lookups that found no live session (an owner mismatch counts as `not_found`).
 * - `mcp_sessions.restored` (counter, `{session}`): sessions made elsewhere, restored here.
 * - `mcp_sessions.store_failures` (counter, `{error}`): store calls that failed.
 * - `mcp_sessions.active` (up-down counter, `{session}`): live sessions in the store, read with
 *   one store call per collection. With a shared store every replica reports the fleet's total:
 *   aggregate it with max, not sum.
 * - `mcp_sessions.stored_init.size` (up-down counter, `By`): bytes of the live sessions' stored
 *   `initialize` requests, when the store keeps that count (the memory store).
 *
 * Counters are this replica's totals since its manager was made. A collection while the store
 * is unreachable skips the two store-read instruments (the failure is counted). Needs the
 * optional peer dependency `@opentelemetry/api` (1.4 or later); nothing else in the library
 * imports it.
 *
 * @returns a function that removes the instruments' callback (idempotent).
 * @throws SessionError `INVALID_OPTION` when `options.meter` is not a `Meter` or
 *   `options.attributes` not an object.
 */
export function registerSessionMetrics(
  sessions: SessionManager,
  options: SessionMetricsOptions = {},
): () => void {
  const meter = options.meter ?? metrics.getMeter('mcp-sessions');
  if (!isObject(meter) || typeof meter.addBatchObservableCallback !== 'function') {
    throw new SessionError(
      'INVALID_OPTION',
      'Invalid option `meter`: expected an OpenTelemetry Meter (with addBatchObservableCallback).',
    );
  }
  if (options.attributes !== undefined && !isObject(options.attributes)) {
    throw new SessionError('INVALID_OPTION', 'Invalid option `attributes`: expected an object.');
  }
  const base = options.attributes ?? {};
  const int = { valueType: ValueType.INT };
  const created = meter.createObservableCounter('mcp_sessions.created', {
    ...int,
    unit: '{session}',
    description: 'Sessions created.',
  });
  const ended = meter.createObservableCounter('mcp_sessions.ended', {
    ...int,
    unit: '{session}',
    description: 'Sessions ended, by reason.',
  });
  const rejected = meter.createObservableCounter('mcp_sessions.rejected', {
    ...int,
    unit: '{request}',
    description: 'Session creates and requests refused, by cause.',
  });
  const misses = meter.createObservableCounter('mcp_sessions.lookup.misses', {
    ...int,
    unit: '{request}',
    description: 'Lookups that found no live session: not found, or expired.',
  });
  const restored = meter.createObservableCounter('mcp_sessions.restored', {
    ...int,
    unit: '{session}',
    description: 'Sessions made by another replica, restored on this one.',
  });
  const failures = meter.createObservableCounter('mcp_sessions.store_failures', {
    ...int,
    unit: '{error}',
    description: 'Session store calls that failed.',
  });
  const active = meter.createObservableUpDownCounter('mcp_sessions.active', {
    ...int,
    unit: '{session}',
    description: 'Live sessions in the session store.',
  });
  const initSize = meter.createObservableUpDownCounter('mcp_sessions.stored_init.size', {
    ...int,
    unit: 'By',
    description: 'Bytes of the stored initialize requests of the live sessions.',
  });
  const observables: Observable[] = [
    created,
    ended,
    rejected,
    misses,
    restored,
    failures,
    active,
    initSize,
  ];
  const observe = async (result: BatchObservableResult): Promise<void> => {
    const counters = sessions.counters();
    result.observe(created, counters.created, base);
    for (const reason of END_REASONS) {
      result.observe(ended, counters.ended[reason], { ...base, reason });
    }
    for (const cause of REJECTION_CAUSES) {
      result.observe(rejected, counters.rejected[cause], { ...base, cause: CAUSE_VALUES[cause] });
    }
    result.observe(misses, counters.notFound, { ...base, result: 'not_found' });
    result.observe(misses, counters.expired, { ...base, result: 'expired' });
    result.observe(restored, counters.restored, base);
    result.observe(failures, counters.storeFailures, base);
    if (sessions.closed) return;
    try {
      const stats = await sessions.stats();
      result.observe(active, stats.live, base);
      if (stats.initBytes !== undefined) result.observe(initSize, stats.initBytes, base);
    } catch {
      // Store unreachable: the manager counted the failure; these two gauges skip a beat.
    }
  };
  meter.addBatchObservableCallback(observe, observables);
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    meter.removeBatchObservableCallback(observe, observables);
  };
}
