/**
 * The client side of an elicitation round trip, in raw HTTP: call the `elicit` tool on one
 * replica, read its event stream until the server's `elicitation/create` request, POST the
 * answer (possibly to another replica), then read on until the tool's result.
 */
import { post } from './mcp-client.js';

/** The capabilities a client declares to receive form elicitations. */
export const ELICITATION_CAPABILITIES: Readonly<Record<string, unknown>> = Object.freeze({
  elicitation: { form: {} },
});

const ROUND_TRIP_TIMEOUT_MS = 15_000;
let lastId = 1_000_000_000;

interface RpcMessage {
  id?: number | string;
  method?: string;
  result?: { content?: { text?: string }[] };
  error?: unknown;
}

/** Yields the JSON-RPC messages of an event stream's `data:` lines, in order. */
async function* messagesOf(body: ReadableStream<Uint8Array>): AsyncGenerator<RpcMessage> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let pending = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      pending += decoder.decode(value, { stream: true }).replaceAll('\r\n', '\n');
      let end = pending.indexOf('\n\n');
      while (end >= 0) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        end = pending.indexOf('\n\n');
        const data = event
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data !== '') yield JSON.parse(data) as RpcMessage;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * One `elicit` tool call: the call POSTed to `callUrl`, the client's answer to the server's
 * elicitation POSTed to `answerUrl`. Answers the round trip in ms (call sent to result read);
 * throws unless the result carries the answer, or after 15 s.
 */
export async function elicitRoundTrip(
  callUrl: string,
  answerUrl: string,
  sessionId: string,
): Promise<number> {
  const id = ++lastId;
  const call = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"elicit","arguments":{}}}`;
  const started = performance.now();
  const signal = AbortSignal.timeout(ROUND_TRIP_TIMEOUT_MS);
  const response = await post(callUrl, call, sessionId, signal);
  if (response.status !== 200 || response.body === null) {
    throw new Error(`elicit: tools/call answered ${response.status}: ${await response.text()}`);
  }
  let answered = false;
  // Leaving the loop early cancels the stream (the generator's reader is released).
  for await (const message of messagesOf(response.body)) {
    if (message.method === 'elicitation/create' && message.id !== undefined) {
      const answer = JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        result: { action: 'accept', content: { name: 'bench' } },
      });
      const accepted = await post(answerUrl, answer, sessionId, signal);
      const text = await accepted.text();
      if (accepted.status !== 202) {
        throw new Error(`elicit: the answer POST answered ${accepted.status}: ${text}`);
      }
      answered = true;
    } else if (message.id === id) {
      const text = message.result?.content?.[0]?.text;
      if (!answered || text !== 'hello bench') {
        throw new Error(`elicit: unexpected result ${JSON.stringify(message)}`);
      }
      const elapsed = performance.now() - started;
      return elapsed;
    }
  }
  throw new Error('elicit: the stream ended before the tool result');
}
