import type { SessionRecord } from '../../core/types.js';

/**
 * What a handler needs of an `McpServer` or a low-level `Server`, of SDK v1 or v2 (described by
 * shape: the shared adapter code loads no SDK).
 */
export interface SessionServer {
  /** Connects the server to the session's SDK transport. */
  connect(transport: object): Promise<void>;
  /** Closes the server and its transport. */
  close(): Promise<void>;
}

/**
 * Builds the server of one session: a new `McpServer`/`Server` each time (the SDK connects a
 * server to one transport only). Called once the session is registered, with its record (ID,
 * owner, kind, ...); on Streamable HTTP also on any replica that restores the session from its
 * stored `initialize` request. May be async; a throw ends the session and answers 500.
 */
export type ServerFactory = (session: SessionRecord) => SessionServer | Promise<SessionServer>;
