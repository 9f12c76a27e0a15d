/** What the benchmark server process is told at start and answers over IPC. */

/**
 * How the child serves: the bare SDK wiring, the handler on the memory or Redis store, the
 * SDK's Web-standard transport fed a real `Request` or a light request object, or one replica
 * of a fleet (`fleet`: the handler on a shared `RedisStore` with a `RedisRelay` and idle
 * trimming, serving the `echo` and `elicit` tools); on SDK v2, `createMcpHandler` alone
 * (`v2-bare`) or the `mcp-sessions/v2` handler (`v2-modern`, `v2-legacy`: one wiring, named by
 * the traffic it is measured with; see `./v2-wiring.ts`).
 */
export type ServerKind =
  | 'bare'
  | 'memory'
  | 'redis'
  | 'web-request'
  | 'web-light'
  | 'fleet'
  | 'v2-bare'
  | 'v2-modern'
  | 'v2-legacy';

/** Start configuration, passed as JSON in the child's first argument. */
export interface ServerConfig {
  kind: ServerKind;
  /** Redis URL and key prefix (kinds `redis` and `fleet`; replicas of one fleet share both). */
  redisUrl?: string;
  prefix?: string;
  /** The manager's `maxTombstones` (kinds `memory` and `redis`); its default when absent. */
  maxTombstones?: number;
  /**
   * Kind `fleet`: the handler's `localIdleMs` (how long a local transport may stay unused before
   * trimming lets it go); its default when absent.
   */
  localIdleMs?: number;
}

/** Answer to a `trim` message: local transports before and after `handler.trim()`. */
export interface TrimResult {
  before: number;
  after: number;
}

/** Counts of one kind of object: SDK servers and transports. */
export interface ObjectCounts {
  servers: number;
  transports: number;
}

/** Taken after forced garbage collections in the server process. */
export interface ServerStats {
  heapUsed: number;
  /** Sessions with a transport open (`handler.size`, or the bare wiring's `Map` size). */
  open: number;
  created: ObjectCounts;
  /** Closed: `server.close()` called, transport `onclose` fired. */
  closed: ObjectCounts;
  /** Not yet garbage-collected (tracked with a `FinalizationRegistry`). */
  alive: ObjectCounts;
}

/** Server CPU time over a measured window, and the requests the server received in it. */
export interface CpuWindow {
  /** User + system CPU time of the server process, in µs. */
  cpuMicros: number;
  requests: number;
}
