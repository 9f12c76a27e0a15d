/**
 * Test helpers for people who build on mcp-sessions: the store conformance suite (vitest) and
 * a manual clock.
 *
 * @module
 */
export { ManualClock } from './manual-clock.js';
export {
  type ConformanceCase,
  describeStoreConformance,
  type StoreConformanceOptions,
  type StoreUnderTest,
} from './store-conformance.js';
