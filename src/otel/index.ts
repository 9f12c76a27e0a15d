/**
 * mcp-sessions/otel: a session manager's counters as OpenTelemetry metrics. Needs the optional
 * peer dependency `@opentelemetry/api`; the rest of the library never imports it.
 *
 * @module
 */
export { registerSessionMetrics, type SessionMetricsOptions } from './session-metrics.js';
