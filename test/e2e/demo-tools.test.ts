import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../examples/demo-server.js';
import { SessionManager } from '../../src/index.js';
import { waitFor, within } from '../support/wait.js';

let demo: DemoServer | undefined;
const clients: Client[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await demo?.close();
  demo = undefined;
  for (const close of closers.splice(0)) await close();
});

type Reply = { action: 'accept'; text: string } | { action: 'decline' | 'cancel' };

/** A client that answers elicitation with `reply` and sampling by upper-casing the prompt. */
function answeringClient(reply: () => Reply = () => ({ action: 'accept', text: 'yes' })) {
  const client = new Client(
    { name: 'demo-tools', version: '1' },
    { capabilities: { elicitation: {}, sampling: {} } },
  );
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    const answer = reply();
    return answer.action === 'accept'
      ? { action: 'accept', content: { text: answer.text } }
      : { action: answer.action };
  });
  client.setRequestHandler(CreateMessageRequestSchema, (request) => {
    const first = request.params.messages[0]?.content;
    const prompt = first !== undefined && 'text' in first ? String(first.text) : '';
    return {
      role: 'assistant',
      model: 'upper-case',
      content: { type: 'text', text: prompt.toUpperCase() },
    };
  });
  clients.push(client);
  return { client, asked };
}

async function textOf(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as {
    content: { text: string }[];
    isError?: boolean;
  };
  return { text: result.content[0]?.text, isError: result.isError === true };
}

describe('demo tools', () => {
  it('elicit answers what the client typed, or that it declined or cancelled', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const replies: Reply[] = [
      { action: 'accept', text: 'blue' },
      { action: 'decline' },
      { action: 'cancel' },
    ];
    const { client, asked } = answeringClient(() => replies.shift()!);
    await client.connect(new StreamableHTTPClientTransport(new URL(demo.mcpUrl)));
    expect(await textOf(client, 'elicit', { message: 'Favourite colour?' })).toEqual({
      text: 'blue',
      isError: false,
    });
    expect((await textOf(client, 'elicit', { message: 'Again?' })).text).toBe(
      'the client declined',
    );
    expect((await textOf(client, 'elicit', { message: 'Once more?' })).text).toBe(
      'the client cancelled',
    );
    expect(asked).toEqual(['Favourite colour?', 'Again?', 'Once more?']);
  });

  it('sample answers the text of the client’s completion', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const { client } = answeringClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(demo.mcpUrl)));
    expect(await textOf(client, 'sample', { prompt: 'hello fleet' })).toEqual({
      text: 'HELLO FLEET',
      isError: false,
    });
  });

  it('elicit and sample fail as tool errors for a client without those capabilities', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const client = new Client({ name: 'plain', version: '1' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(demo.mcpUrl)));
    const elicit = await textOf(client, 'elicit', { message: 'x' });
    expect(elicit.isError).toBe(true);
    expect(elicit.text).toMatch(/elicitation/i);
    const sample = await textOf(client, 'sample', { prompt: 'x' });
    expect(sample.isError).toBe(true);
    expect(sample.text).toMatch(/sampling/i);
  });

  it('elicit and sample work over legacy SSE too', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const { client } = answeringClient(() => ({ action: 'accept', text: 'old' }));
    await client.connect(new SSEClientTransport(new URL(`${demo.url}/sse`)));
    expect((await textOf(client, 'elicit', { message: 'Which?' })).text).toBe('old');
    expect((await textOf(client, 'sample', { prompt: 'abc' })).text).toBe('ABC');
  });

  it('announce sends tools/list_changed and a log message on the GET stream, then answers', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const { client } = answeringClient();
    const listChanged: unknown[] = [];
    const logged: unknown[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => {
      listChanged.push(n.method);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logged.push(n.params.data);
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(demo.mcpUrl)));
    const sessions = demo.sessions;
    // The GET stream pins the session once it is open: announcements travel on it.
    await waitFor(async () => (await sessions.stats()).pinned === 1, 'the GET stream to open');
    expect((await textOf(client, 'announce')).text).toBe('announced');
    await within(
      waitFor(() => listChanged.length === 1 && logged.length === 1, 'both notifications'),
      'announcements',
    );
    expect(logged).toEqual(['announce']);
  });

  it('counter keeps its count in the session’s data, so another server on the manager goes on', async () => {
    const sessions = new SessionManager();
    closers.push(() => sessions.close());
    demo = await startDemoServer({ port: 0, log: null, sessions });
    const other = await startDemoServer({ port: 0, log: null, sessions });
    closers.push(() => other.close());
    const first = answeringClient().client;
    const transport = new StreamableHTTPClientTransport(new URL(demo.mcpUrl));
    await first.connect(transport);
    expect((await textOf(first, 'counter')).text).toBe('1');
    expect((await textOf(first, 'counter')).text).toBe('2');
    const id = transport.sessionId!;
    const second = answeringClient().client;
    await second.connect(
      new StreamableHTTPClientTransport(new URL(other.mcpUrl), { sessionId: id }),
    );
    expect((await textOf(second, 'counter')).text).toBe('3');
    expect((await textOf(first, 'counter')).text).toBe('4');
    const resolved = await sessions.resolve(id);
    expect(resolved.status === 'active' && resolved.session.data).toEqual({ count: 4 });
  });

  it('reports the transports open in this process on /healthz', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const health = async () => (await (await fetch(`${demo!.url}/healthz`)).json()) as object;
    expect(await health()).toMatchObject({ transports: { streamableHttp: 0, sse: 0 } });
    const a = answeringClient().client;
    const streamable = new StreamableHTTPClientTransport(new URL(demo.mcpUrl));
    await a.connect(streamable);
    const b = answeringClient().client;
    await b.connect(new SSEClientTransport(new URL(`${demo.url}/sse`)));
    expect(await health()).toMatchObject({ live: 2, transports: { streamableHttp: 1, sse: 1 } });
    await streamable.terminateSession();
    await b.close();
    await waitFor(
      async () =>
        JSON.stringify(((await health()) as { transports: unknown }).transports) ===
        '{"streamableHttp":0,"sse":0}',
      'the transports to close',
    );
  });
});
