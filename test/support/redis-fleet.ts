import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Redis } from 'ioredis';
import { deleteKeys, testPrefix } from './redis.js';
import { type Replica, type ReplicaOptions, startReplica } from './redis-replica-process.js';
import { RoundRobinProxy } from './round-robin-proxy.js';

/** Options of {@link startFleet}. */
export interface FleetOptions {
  /** How many replicas. @default 3 */
  readonly size?: number;
  /** Label of the fleet's Redis prefix. @default 'fleet' */
  readonly label?: string;
  /** Demo flags of every replica. @default [] */
  readonly args?: readonly string[];
  /** Environment of replica `index`. @default {} */
  readonly envOf?: (index: number) => Readonly<Record<string, string>>;
}

/** Demo processes on one Redis prefix behind one round-robin proxy. */
export interface Fleet {
  readonly prefix: string;
  readonly proxy: RoundRobinProxy;
  /** The replicas by index (a restarted one takes its old index). */
  readonly replicas: Replica[];
  /** Stops replica `index` (SIGTERM), starts a new one in its place and points the proxy at it. */
  restart(index: number, env?: Readonly<Record<string, string>>): Promise<Replica>;
  /** Kills replica `index` at once (SIGKILL) and takes it out of the proxy's turn. */
  kill(index: number): Promise<void>;
  /** Stops the proxy and every replica, then deletes the prefix's keys through `side`. */
  close(side: Redis): Promise<void>;
}

/** Starts `size` demo replicas on a fresh Redis prefix (in parallel) and a proxy in front. */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const prefix = testPrefix(options.label ?? 'fleet');
  const size = options.size ?? 3;
  const optionsOf = (index: number, env = options.envOf?.(index) ?? {}): ReplicaOptions => ({
    prefix,
    args: options.args ?? [],
    env,
  });
  const started = await Promise.allSettled(
    Array.from({ length: size }, (_, i) => startReplica(optionsOf(i))),
  );
  const replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(replicas.map((r) => r.stop()));
    throw failed.reason;
  }
  const proxy = await RoundRobinProxy.start(replicas.map((r) => r.url));
  return {
    prefix,
    proxy,
    replicas,
    async restart(index, env) {
      await replicas[index]!.stop();
      const replica = await startReplica(optionsOf(index, env));
      replicas[index] = replica;
      proxy.replace(index, replica.url);
      return replica;
    },
    async kill(index) {
      proxy.markDown(index);
      await replicas[index]!.kill();
    },
    async close(side) {
      await proxy.close();
      await Promise.all(replicas.map((r) => r.stop()));
      await deleteKeys(side, prefix);
    },
  };
}

/** What a {@link fleetClient} saw the server send it. */
export interface FleetClientLog {
  /** Messages of the elicitation requests it answered. */
  readonly elicited: string[];
  /** Prompts of the sampling requests it answered. */
  readonly sampled: string[];
  /** `notifications/tools/list_changed` received. */
  listChanged: number;
  /** Data of the logging messages received. */
  readonly logged: unknown[];
}

/**
 * An SDK v1 client through `baseUrl` (Streamable HTTP at `/mcp`, or legacy SSE at `/sse`) that
 * answers elicitation with `echo: <message>` and sampling with the prompt upper-cased, and logs
 * what it was sent.
 */
export async function fleetClient(
  baseUrl: string,
  transport: 'streamable-http' | 'sse' = 'streamable-http',
): Promise<{
  client: Client;
  log: FleetClientLog;
  transport: StreamableHTTPClientTransport | SSEClientTransport;
}> {
  const client = new Client(
    { name: `fleet-${transport}`, version: '1' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  const log: FleetClientLog = { elicited: [], sampled: [], listChanged: 0, logged: [] };
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    log.elicited.push(request.params.message);
    return { action: 'accept', content: { text: `echo: ${request.params.message}` } };
  });
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const first = request.params.messages[0]?.content;
    const prompt = first !== undefined && 'text' in first ? String(first.text) : '';
    log.sampled.push(prompt);
    return {
      role: 'assistant',
      model: 'upper',
      content: { type: 'text', text: prompt.toUpperCase() },
    };
  });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    log.listChanged++;
  });
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    log.logged.push(n.params.data);
  });
  const wire =
    transport === 'sse'
      ? new SSEClientTransport(new URL(`${baseUrl}/sse`))
      : new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`));
  await client.connect(wire);
  return { client, log, transport: wire };
}

/** How long {@link callText} waits for an answer, in ms. */
export const CALL_TIMEOUT_MS = 10_000;

/**
 * Calls tool `name` and answers its first text; rejects on a tool error, or when no answer came
 * within {@link CALL_TIMEOUT_MS}.
 */
export async function callText(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const options = { timeout: CALL_TIMEOUT_MS };
  const result = (await client.callTool({ name, arguments: args }, undefined, options)) as {
    content: { text: string }[];
    isError?: boolean;
  };
  const text = result.content[0]?.text ?? '';
  if (result.isError === true) throw new Error(`tool ${name} failed: ${text}`);
  return text;
}
