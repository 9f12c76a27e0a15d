/**
 * The SDK v2 wirings of the v2 suite, in the benchmark server process: SDK v2's own
 * `createMcpHandler` alone (`v2-bare`: 2026-07-28 only, as SDK v2 serves it, on its
 * `toNodeHandler`), and the `mcp-sessions/v2` handler on the memory store (`v2-modern` and
 * `v2-legacy`: the same wiring, named by the traffic the suite sends it). One `echo` tool.
 */
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { StreamableHttpHandler } from '../../src/adapters/v2/index.js';
import { SessionManager } from '../../src/index.js';
import type { Wiring } from './web-wiring.js';

/** The benchmark's `echo` server on SDK v2. */
export function buildEchoServerV2(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

/** SDK v2's `createMcpHandler` on its own node door: no sessions, 2025-era traffic refused. */
export function bareV2Wiring(): Wiring {
  const handler = createMcpHandler(() => buildEchoServerV2(), { legacy: 'reject' });
  const listener = toNodeHandler(handler);
  return {
    listener: (req, res) => {
      // node:http's `method` is typed optional; on a server request it is always set.
      void listener(req as Parameters<typeof listener>[0], res);
    },
    size: () => 0,
  };
}

/** The `mcp-sessions/v2` handler over a memory-store manager, on its node door. */
export function sessionsV2Wiring(): Wiring {
  const sessions = new SessionManager({ maxSessions: Infinity });
  const handler = new StreamableHttpHandler({
    sessions,
    createServer: () => buildEchoServerV2(),
  });
  return {
    listener: (req, res) => {
      void handler.node(req, res);
    },
    size: () => handler.size,
  };
}
