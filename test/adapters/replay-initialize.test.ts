import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replayInitialize } from '../../src/adapters/streamable-http/index.js';
import { initializeRequest } from '../support/harness.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const closable of open.splice(0)) await closable.close();
});

async function fresh(sessionId: string) {
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => sessionId,
    enableJsonResponse: true,
  });
  const server = new McpServer({ name: 'replay', version: '1.0.0' });
  server.registerTool('echo', { inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  await server.connect(transport);
  open.push(server);
  return transport;
}

const origin = new Request('http://127.0.0.1/mcp', { headers: { host: '127.0.0.1' } });

function post(sessionId: string, body: unknown): Request {
  return new Request(origin.url, {
    method: 'POST',
    headers: {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'mcp-session-id': sessionId,
    },
    body: JSON.stringify(body),
  });
}

describe('replayInitialize', () => {
  it('brings a fresh transport into an existing session, which then serves requests', async () => {
    const transport = await fresh('kept-id');
    await replayInitialize(transport, 'kept-id', initializeRequest() as never, origin);
    expect(transport.sessionId).toBe('kept-id');
    const answer = await transport.handleRequest(
      post('kept-id', {
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'back' } },
      }),
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ id: 7, result: { content: [{ text: 'back' }] } });
  });

  it('throws when the transport refuses the replayed request', async () => {
    const transport = await fresh('twice');
    await replayInitialize(transport, 'twice', initializeRequest() as never, origin);
    await expect(
      replayInitialize(transport, 'twice', initializeRequest() as never, origin),
    ).rejects.toThrow(/Replaying initialize answered 400/);
  });
});
