/**
 * Tools over a handle kind: a wrapper that checks, pins and resolves a tool's handle argument,
 * ready-made `list_*` and `destroy_*` tools, and errors as tool results a model can act on.
 *
 * @module
 */
import { z } from 'zod';
import { SessionError } from '../core/errors.js';
import type { JsonValue } from '../core/types.js';
import { capitalized } from './durations.js';
import type { HandleKind, HandleUpdater } from './handle-kind.js';
import type { HandleRecord, HandleToolDefinition, HandleToolResult, ToolServer } from './types.js';

/** A text tool result. */
export function toolText(text: string): HandleToolResult {
  return { content: [{ type: 'text', text }] };
}

/**
 * A `SessionError` as a tool error result (`isError: true`, its message as text): the errors of
 * {@link HandleKind} are written for a model. Anything else is thrown again, for the SDK to answer.
 */
export function toolError(error: unknown): HandleToolResult {
  if (!(error instanceof SessionError)) throw error;
  return { content: [{ type: 'text', text: error.message }], isError: true };
}

/** The zod schema of a handle argument of `kind`: a string, described for the model. */
export function handleArgument(
  kind: Pick<HandleKind, 'name' | 'prefix' | 'createTool'>,
): z.ZodString {
  return z
    .string()
    .describe(`The ${kind.name} handle (${kind.prefix}_…) that ${kind.createTool} answered.`);
}

/** What a wrapped tool's handler gets besides its arguments. */
export interface HandleCall<T extends JsonValue> {
  /** The caller's handle, pinned for this call (it cannot expire before the call returns). */
  readonly handle: HandleRecord<T>;
  /** The caller's owner (`undefined`: none). */
  readonly owner: string | undefined;
  /** Changes the handle's state atomically (see {@link HandleKind.update}); answers the new record. */
  update(updater: HandleUpdater<T>): Promise<HandleRecord<T>>;
}

/** A tool handler that takes a resolved handle. */
export type HandleToolHandler<T extends JsonValue, A extends Record<string, unknown>> = (
  args: A,
  call: HandleCall<T>,
  extra: unknown,
) => HandleToolResult | Promise<HandleToolResult>;

/**
 * Wraps a tool handler whose argument `kind.argument` (`basket_id`) is a handle: the wrapper
 * checks it, resolves it for the caller's owner, pins it for the call (restarting its idle clock
 * at the start and the end) and passes it in. A malformed handle, a handle of another kind, an
 * unknown or foreign one, an expired one, a store outage, and any `SessionError` the handler
 * throws answer a tool error (`isError: true`) instead; other throws reach the SDK as they are.
 */
export function withHandle<T extends JsonValue, A extends Record<string, unknown>>(
  kind: HandleKind<T>,
  handler: HandleToolHandler<T, A>,
): (args: A, extra: unknown) => Promise<HandleToolResult> {
  return async (args, extra) => {
    const owner = kind.ownerOf(extra);
    let lease: Awaited<ReturnType<HandleKind<T>['acquire']>>;
    try {
      lease = await kind.acquire(args[kind.argument], owner);
    } catch (error) {
      return toolError(error);
    }
    const id = lease.handle.id;
    let latest = lease.handle;
    const call: HandleCall<T> = {
      handle: lease.handle,
      owner,
      update: async (updater) => {
        latest = await kind.update(id, owner, updater, latest);
        return latest;
      },
    };
    try {
      return await handler(args, call, extra);
    } catch (error) {
      return toolError(error);
    } finally {
      await lease.release();
    }
  };
}

/** One line per handle: its ID, when it was created and last used. */
function listing(kind: Pick<HandleKind, 'plural'>, handles: readonly HandleRecord[]): string {
  if (handles.length === 0) return `You hold no ${kind.plural}.`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const lines = handles.map(
    (h) => `${h.id} (created ${iso(h.createdAt)}, last used ${iso(h.lastSeenAt)})`,
  );
  return `Your ${kind.plural} (${handles.length}):\n${lines.join('\n')}`;
}

/**
 * The `list_<plural>` tool of `kind`: the caller's live handles, oldest first. It restarts no
 * idle clock. Its description ends with the durability sentence.
 */
export function listTool<T extends JsonValue>(
  kind: HandleKind<T>,
): HandleToolDefinition<undefined> {
  return {
    name: kind.listTool,
    config: {
      description: `Lists your live ${kind.plural}: their handles, oldest first. ${kind.durability}`,
    },
    callback: async (extra) => {
      try {
        return toolText(listing(kind, await kind.list(kind.ownerOf(extra))));
      } catch (error) {
        return toolError(error);
      }
    },
  };
}

/**
 * The `destroy_<name>` tool of `kind`, taking `{ [kind.argument]: handle }`: the handle ends
 * (reason `deleted`) and later uses answer that it has expired. An unknown or foreign handle
 * answers the same "not found" error as anywhere else.
 */
export function destroyTool<T extends JsonValue>(
  kind: HandleKind<T>,
): HandleToolDefinition<Record<string, unknown>> {
  return {
    name: kind.destroyTool,
    config: {
      description: `Destroys one of your ${kind.plural} and everything in it. ${kind.durability}`,
      inputSchema: z.object({ [kind.argument]: handleArgument(kind) }),
    },
    callback: async (args, extra) => {
      try {
        const id = kind.parse(args[kind.argument]);
        await kind.destroy(id, kind.ownerOf(extra));
        return toolText(`${capitalized(kind.name)} ${id} destroyed.`);
      } catch (error) {
        return toolError(error);
      }
    },
  };
}

type Registrar = {
  registerTool(name: string, config: object, callback: (...args: never[]) => unknown): unknown;
};

/** Registers a tool definition on an SDK v1 or v2 `McpServer`; answers what `registerTool` answers. */
export function registerHandleTool(
  server: ToolServer,
  definition: {
    readonly name: string;
    readonly config: HandleToolDefinition<undefined>['config'];
    readonly callback: (...args: never[]) => Promise<HandleToolResult>;
  },
): unknown {
  const { name, config, callback } = definition;
  return (server as unknown as Registrar).registerTool(name, config, callback);
}

/** Registers `kind`'s `list_*` and `destroy_*` tools on an SDK v1 or v2 `McpServer`. */
export function registerHandleTools<T extends JsonValue>(
  server: ToolServer,
  kind: HandleKind<T>,
): void {
  registerHandleTool(server, listTool(kind));
  registerHandleTool(server, destroyTool(kind));
}
