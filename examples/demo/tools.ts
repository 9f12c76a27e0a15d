import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { HandleKind } from '../../src/handles/index.js';
import type { JsonValue, SessionManager, SessionRecord } from '../../src/index.js';
import { registerBasketTools } from './baskets.js';

/** The longest `sleep` the demo accepts, in ms. */
export const MAX_SLEEP_MS = 600_000;

/** The most tokens `sample` asks the client's model for. */
export const SAMPLE_MAX_TOKENS = 200;

/** What the demo's `elicit` tool asks the client to fill in: one string, `text`. */
export const ELICIT_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: { text: { type: 'string', description: 'Your answer.' } },
  required: ['text'],
};

/** A tool result of one text block. */
export type ToolAnswer = { content: { type: 'text'; text: string }[] };

/** A tool result of one text block. */
export function say(text: string): ToolAnswer {
  return { content: [{ type: 'text', text }] };
}

/** The text of an elicitation answer: what the user typed, or that they declined or cancelled. */
export function elicitationText(result: ElicitResult): string {
  if (result.action === 'decline') return 'the client declined';
  if (result.action === 'cancel') return 'the client cancelled';
  const text = result.content?.text;
  return typeof text === 'string' ? text : '';
}

/** The text parts of a sampling answer, joined (one content block, or several). */
export function samplingText(result: { readonly content: unknown }): string {
  const blocks: unknown[] = Array.isArray(result.content) ? result.content : [result.content];
  return blocks
    .map((block) =>
      typeof block === 'object' && block !== null && 'text' in block ? String(block.text) : '',
    )
    .join('');
}

/** What the `announce` tool says of itself. */
export const ANNOUNCE_DESCRIPTION =
  'Sends a tool-list-changed notification and a log message outside this call, then answers.';

/** The part of an SDK v1 or v2 low-level `Server` that `announce` uses. */
interface Announcer {
  sendToolListChanged(): Promise<void>;
  sendLoggingMessage(params: { level: 'info'; logger: string; data: string }): Promise<void>;
}

/**
 * The `announce` tool: on the next tick (so nothing is tied to the call and it travels on the
 * session's GET stream), a tool-list-changed notification and a log message; then `announced`.
 */
export async function announce(server: Announcer): Promise<ToolAnswer> {
  await new Promise((resolve) => setImmediate(resolve));
  await server.sendToolListChanged();
  await server.sendLoggingMessage({ level: 'info', logger: 'demo', data: 'announce' });
  return say('announced');
}

/** The count kept in a session's `data` (`{ count }`); 0 when there is none. */
export function countOf(data: JsonValue | undefined): number {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return 0;
  return typeof data.count === 'number' ? data.count : 0;
}

/** The session's `data` with its count one more, other fields kept. */
export function counted(data: JsonValue | undefined): JsonValue {
  const fields = typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {};
  return { ...fields, count: countOf(data) + 1 };
}

/**
 * The demo's MCP server for one session, with the logging capability and these tools:
 * - `echo` answers its `text`;
 * - `sleep` holds the request open for `ms` (at most {@link MAX_SLEEP_MS});
 * - `counter` increments this session's counter and answers it. With `sessions`, the count is
 *   kept in the session's `data` (`{ count }`, through `sessions.update`), so it goes on on any
 *   replica and across restarts; without, it lives in this server object;
 * - `elicit` asks the client for a text (elicitation, one string field) and answers it, or says
 *   the client declined or cancelled; fails when the client offers no elicitation;
 * - `sample` asks the client's model to complete `prompt` (sampling) and answers the text; fails
 *   when the client offers no sampling;
 * - `announce` sends `notifications/tools/list_changed` and a logging message unrelated to the
 *   request (they travel on the session's GET stream, not the call's answer), then answers;
 * - with `baskets`, the basket tools (see {@link registerBasketTools}).
 */
export function createDemoServer(
  session?: SessionRecord,
  sessions?: SessionManager,
  baskets?: HandleKind<string[]>,
): McpServer {
  const server = new McpServer(
    { name: 'mcp-sessions-demo', version: '0.1.0' },
    { capabilities: { logging: {} } },
  );
  let count = 0;
  server.registerTool(
    'echo',
    { description: 'Answers the text it was given.', inputSchema: { text: z.string() } },
    ({ text }) => say(text),
  );
  server.registerTool(
    'sleep',
    {
      description: 'Holds the request open for `ms` milliseconds, then answers.',
      inputSchema: { ms: z.number().int().min(0).max(MAX_SLEEP_MS) },
    },
    async ({ ms }) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return say(`slept ${ms} ms`);
    },
  );
  server.registerTool(
    'counter',
    { description: 'Increments this session’s counter and answers it.' },
    async (extra) => {
      const id = extra.sessionId ?? session?.id;
      if (sessions === undefined || id === undefined) return say(String(++count));
      const owner = session?.owner ?? null;
      const updated = await sessions.update(id, counted, { owner });
      return say(String(countOf(updated.data)));
    },
  );
  server.registerTool(
    'elicit',
    {
      description: 'Asks the client for a text (elicitation) and answers what it gave.',
      inputSchema: { message: z.string() },
    },
    async ({ message }, extra) => {
      if (server.server.getClientCapabilities()?.elicitation === undefined) {
        throw new Error('The client offers no elicitation.');
      }
      const result = await server.server.elicitInput(
        { mode: 'form', message, requestedSchema: ELICIT_SCHEMA },
        { relatedRequestId: extra.requestId },
      );
      return say(elicitationText(result));
    },
  );
  server.registerTool(
    'sample',
    {
      description: 'Asks the client’s model to complete a prompt (sampling) and answers its text.',
      inputSchema: { prompt: z.string() },
    },
    async ({ prompt }, extra) => {
      if (server.server.getClientCapabilities()?.sampling === undefined) {
        throw new Error('The client offers no sampling.');
      }
      const result = await server.server.createMessage(
        {
          messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
          maxTokens: SAMPLE_MAX_TOKENS,
        },
        { relatedRequestId: extra.requestId },
      );
      return say(samplingText(result));
    },
  );
  server.registerTool('announce', { description: ANNOUNCE_DESCRIPTION }, () =>
    announce(server.server),
  );
  if (baskets !== undefined) registerBasketTools(server, baskets);
  return server;
}
