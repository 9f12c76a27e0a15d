import { type IncomingMessage, request } from 'node:http';

/** One server-sent event: its `id` (when given) and its `data`, parsed as JSON. */
export interface StreamEvent {
  readonly id: string | undefined;
  readonly data: unknown;
}

/** An open event stream read as it arrives. */
export interface EventStream {
  /** The HTTP status of the answer. */
  readonly status: number;
  /** Events with data received so far, in order. */
  readonly events: StreamEvent[];
  /** Cuts the stream from the client side. */
  close(): void;
}

/**
 * Opens `GET url` as an event stream with `headers` (e.g. `mcp-session-id`, `last-event-id`)
 * and parses its events as they come. Resolves once the answer's headers arrived.
 */
export async function openEventStream(
  url: string,
  headers: Record<string, string>,
): Promise<EventStream> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } });
    req.on('response', resolve).on('error', reject).end();
  });
  const events: StreamEvent[] = [];
  let buffer = '';
  res.setEncoding('utf8');
  res.on('error', () => undefined);
  res.on('data', (chunk: string) => {
    buffer += chunk.replace(/\r\n/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0 && data.join('') !== '') {
        events.push({ id, data: JSON.parse(data.join('\n')) });
      }
      end = buffer.indexOf('\n\n');
    }
  });
  return { status: res.statusCode ?? 0, events, close: () => res.destroy() };
}
