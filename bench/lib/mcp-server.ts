/** The MCP server every HTTP benchmark serves: one `echo` tool, built once per session. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** Builds the benchmark server: the same code behind the bare SDK wiring and the handler. */
export function buildEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}
