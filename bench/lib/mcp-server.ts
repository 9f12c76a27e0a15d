/**
 * The MCP servers the HTTP benchmarks serve, built once per session: one `echo` tool, and for
 * the fleet suite also an `elicit` tool that asks the client a question before it answers.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

/** How long the `elicit` tool waits for the client's answer, in ms. */
export const ELICIT_TIMEOUT_MS = 10_000;

/** Builds the benchmark server: the same code behind the bare SDK wiring and the handler. */
export function buildEchoServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

/**
 * The echo server plus `elicit`: one `elicitation/create` request to the client, sent on the
 * call's own response stream (related to the call), then `hello <name>` from the answer.
 */
export function buildFleetServer(): McpServer {
  const server = buildEchoServer();
  server.registerTool('elicit', { description: 'Asks the client for a name.' }, async (extra) => {
    const answer = await extra.sendRequest(
      {
        method: 'elicitation/create',
        params: {
          message: 'Your name?',
          requestedSchema: {
            type: 'object',
            properties: { name: { type: 'string' } },
            required: ['name'],
          },
        },
      },
      ElicitResultSchema,
      { timeout: ELICIT_TIMEOUT_MS },
    );
    const name = answer.action === 'accept' ? String(answer.content?.name) : answer.action;
    return { content: [{ type: 'text', text: `hello ${name}` }] };
  });
  return server;
}
