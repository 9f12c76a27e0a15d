/**
 * mcp-sessions/resources: a pool of per-session resources (a browser, a sandbox, a database
 * connection) that are built on first use, closed when idle and always closed when their
 * session ends, on this replica.
 *
 * @module
 */
export { isResourceError, ResourceError, type ResourceErrorCode } from './errors.js';
export type { SessionResourcesOptions } from './options.js';
export { SessionResources } from './session-resources.js';
export {
  RESOURCE_CLOSE_REASONS,
  type ResourceCloseContext,
  type ResourceClosedInfo,
  type ResourceCloseReason,
  type ResourceContext,
  type ResourceEvents,
  type ResourceFailure,
  type ResourceInfo,
  type ResourceStats,
} from './types.js';
