/**
 * The public types of handles: records, tool results and the shape of a server that takes
 * tools. Described by shape, so SDK v1 and v2 servers both fit and no SDK is loaded.
 *
 * @module
 */
import type { JsonValue } from '../core/types.js';

/** A live handle as a tool sees it. Times are ms from the kind's clock. */
export interface HandleRecord<T extends JsonValue = JsonValue> {
  /** The handle, e.g. `bsk_q3Xo…`. */
  readonly id: string;
  /** Its owner (see `HandleKindOptions.ownerOf`); `undefined`: none. */
  readonly owner: string | undefined;
  /** Its state. */
  readonly data: T;
  /** The version of `data`: 1 at creation, one more per update. */
  readonly version: number;
  readonly createdAt: number;
  /** The last use: the start of the idle clock. */
  readonly lastSeenAt: number;
}

/** One text block of a tool result. */
export type HandleToolText = { type: 'text'; text: string };

/** What the tools of this entry answer: MCP `CallToolResult` text, `isError` on failure. */
export type HandleToolResult = { content: HandleToolText[]; isError?: boolean };

/**
 * What a tool definition is made of, ready for `server.registerTool(name, config, callback)`
 * of an SDK v1 or v2 `McpServer`.
 */
export interface HandleToolDefinition<A extends Record<string, unknown> | undefined> {
  readonly name: string;
  readonly config: {
    readonly description: string;
    /** A zod object schema (accepted by both SDKs); absent for a tool without arguments. */
    readonly inputSchema?: unknown;
  };
  /** The tool's callback: `(args, extra)`, or `(extra)` when it takes no arguments. */
  readonly callback: A extends undefined
    ? (extra: unknown) => Promise<HandleToolResult>
    : (args: A, extra: unknown) => Promise<HandleToolResult>;
}

/** Any object with a `registerTool` method: an `McpServer` of SDK v1 or v2. */
export interface ToolServer {
  registerTool(...args: never[]): unknown;
}
