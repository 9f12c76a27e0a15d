/**
 * mcp-sessions/handles: state handles, the tool-design pattern that replaces protocol sessions
 * (MCP 2026-07-28). A tool creates server-side state and answers its handle (`bsk_…`, 128
 * random bits); later tools take the handle as an argument. Each {@link HandleKind} keeps its
 * handles on a `SessionManager` of its own (idle TTL, lifetime, tombstones, per-owner quota,
 * Redis for fleets), checks the caller's owner on every use, and answers errors a model can act
 * on. Loads no SDK: the tools fit SDK v1 and v2 `McpServer`s alike.
 *
 * @module
 */

export { isSessionError, SessionError, type SessionErrorCode } from '../core/errors.js';
export { HandleKind, type HandleLease, type HandleUpdater } from './handle-kind.js';
export type { HandleKindOptions, HandleOwnerOf } from './options.js';
export {
  destroyTool,
  type HandleCall,
  type HandleToolHandler,
  handleArgument,
  listTool,
  registerHandleTool,
  registerHandleTools,
  toolError,
  toolText,
  withHandle,
} from './tools.js';
export type {
  HandleRecord,
  HandleToolDefinition,
  HandleToolResult,
  HandleToolText,
  ToolServer,
} from './types.js';
