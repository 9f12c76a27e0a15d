import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { HandleKind } from '../../src/handles/index.js';
import type { SessionManager, SessionRecord } from '../../src/index.js';
import { registerBasketTools } from './baskets.js';
import {
  ANNOUNCE_DESCRIPTION,
  announce,
  counted,
  countOf,
  ELICIT_SCHEMA,
  elicitationText,
  MAX_SLEEP_MS,
  SAMPLE_MAX_TOKENS,
  samplingText,
  say,
} from './tools.js';

/**
 * The demo's MCP server on SDK v2, for one request (2026-07-28, no session) or one session
 * (2025 era). Every era gets `echo` and `sleep`; 2025-era sessions also get the tools that only
 * make sense in a session or need server-to-client messages: `counter` (kept in the session's
 * `data` through `sessions.update`, so it goes on across replicas), `elicit`, `sample` and
 * `announce` (see {@link createDemoServer} for what each does). With `baskets`, both eras get
 * the basket tools (see {@link registerBasketTools}): baskets are state handles, not sessions.
 *
 * @param session the 2025-era session, or `undefined` for a 2026-07-28 request.
 * @param sessions the manager keeping `counter`'s count.
 * @param baskets the basket kind whose tools to offer.
 */
export function createDemoServerV2(
  session: SessionRecord | undefined,
  sessions: SessionManager | undefined,
  baskets?: HandleKind<string[]>,
): McpServer {
  const server = new McpServer(
    { name: 'mcp-sessions-demo', version: '0.1.0' },
    { capabilities: session === undefined ? {} : { logging: {} } },
  );
  server.registerTool(
    'echo',
    {
      description: 'Answers the text it was given.',
      inputSchema: z.object({ text: z.string() }),
    },
    ({ text }) => say(text),
  );
  server.registerTool(
    'sleep',
    {
      description: 'Holds the request open for `ms` milliseconds, then answers.',
      inputSchema: z.object({ ms: z.number().int().min(0).max(MAX_SLEEP_MS) }),
    },
    async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return say(`slept ${ms} ms`);
    },
  );
  if (session !== undefined) registerSessionTools(server, session, sessions);
  if (baskets !== undefined) registerBasketTools(server, baskets);
  return server;
}

/** The tools a 2025-era session gets on top of the stateless ones. */
function registerSessionTools(
  server: McpServer,
  session: SessionRecord,
  sessions: SessionManager | undefined,
): void {
  let count = 0;
  server.registerTool(
    'counter',
    { description: 'Increments this session’s counter and answers it.' },
    async (ctx) => {
      const id = ctx.sessionId ?? session.id;
      if (sessions === undefined) return say(String(++count));
      const updated = await sessions.update(id, counted, { owner: session.owner ?? null });
      return say(String(countOf(updated.data)));
    },
  );
  server.registerTool(
    'elicit',
    {
      description: 'Asks the client for a text (elicitation) and answers what it gave.',
      inputSchema: z.object({ message: z.string() }),
    },
    async ({ message }, ctx) => {
      if (server.server.getClientCapabilities()?.elicitation === undefined) {
        throw new Error('The client offers no elicitation.');
      }
      const result = await ctx.mcpReq.elicitInput({
        mode: 'form',
        message,
        requestedSchema: ELICIT_SCHEMA,
      });
      return say(elicitationText(result));
    },
  );
  server.registerTool(
    'sample',
    {
      description: 'Asks the client’s model to complete a prompt (sampling) and answers its text.',
      inputSchema: z.object({ prompt: z.string() }),
    },
    async ({ prompt }, ctx) => {
      if (server.server.getClientCapabilities()?.sampling === undefined) {
        throw new Error('The client offers no sampling.');
      }
      const result = await ctx.mcpReq.requestSampling({
        messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
        maxTokens: SAMPLE_MAX_TOKENS,
      });
      return say(samplingText(result));
    },
  );
  server.registerTool('announce', { description: ANNOUNCE_DESCRIPTION }, () =>
    announce(server.server),
  );
}
