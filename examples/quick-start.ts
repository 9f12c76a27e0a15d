// A complete MCP server with sessions: Express, Streamable HTTP at /mcp, one tool.
// Run: npx tsx quick-start.ts (dependencies: mcp-sessions @modelcontextprotocol/sdk express zod)
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { SessionManager } from 'mcp-sessions';
import { StreamableHttpHandler } from 'mcp-sessions/streamable-http';
import { z } from 'zod';

// Every session lives here; one that sees no request for 10 minutes ends.
const sessions = new SessionManager({ idleTtlMs: 10 * 60_000 });

// One MCP server per session: built at initialize, closed when the session ends.
function createServer(): McpServer {
  const server = new McpServer({ name: 'quick-start', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Answers the text it was given.', inputSchema: { text: z.string() } },
    ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

const mcp = new StreamableHttpHandler({ sessions, createServer });

const app = express();
app.all('/mcp', mcp.node); // POST, GET and DELETE; the handler reads and checks the body itself

const port = Number(process.env.PORT ?? 3000);
const http = app.listen(port, '127.0.0.1', () => {
  console.log(`MCP server on http://127.0.0.1:${port}/mcp`);
});

// Ctrl-C: end every session (reason 'shutdown'), closing its server, then stop listening.
process.once('SIGINT', async () => {
  await sessions.close();
  http.close();
});
