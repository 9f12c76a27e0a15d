import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JsonValue } from '../../core/types.js';
import { SESSION_ID_HEADER } from '../../protocol.js';

const INITIALIZED_NOTIFICATION = Object.freeze({
  jsonrpc: '2.0',
  method: 'notifications/initialized',
});

/**
 * Brings a fresh, connected transport into the state of an existing session: replays the
 * session's stored `initialize` request (the transport's `sessionIdGenerator` must return
 * `sessionId`), discards the answer, then delivers `notifications/initialized`. Uses public SDK
 * API only. `origin` supplies the `Host` and `Origin` headers, for DNS rebinding protection.
 *
 * @throws Error when the transport refuses the replayed request.
 */
export async function replayInitialize(
  transport: WebStandardStreamableHTTPServerTransport,
  sessionId: string,
  init: JsonValue,
  origin: Request,
): Promise<void> {
  const headers = new Headers({
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
  });
  const host = origin.headers.get('host');
  if (host !== null) headers.set('host', host);
  const from = origin.headers.get('origin');
  if (from !== null) headers.set('origin', from);
  const initialized = await transport.handleRequest(
    new Request(origin.url, { method: 'POST', headers }),
    { parsedBody: init },
  );
  await initialized.text();
  if (initialized.status !== 200) {
    throw new Error(`Replaying initialize answered ${initialized.status}.`);
  }
  headers.set(SESSION_ID_HEADER, sessionId);
  const notified = await transport.handleRequest(
    new Request(origin.url, { method: 'POST', headers }),
    { parsedBody: INITIALIZED_NOTIFICATION },
  );
  await notified.body?.cancel();
  if (notified.status !== 202) {
    throw new Error(`Replaying notifications/initialized answered ${notified.status}.`);
  }
}
