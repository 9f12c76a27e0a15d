import type { JsonValue } from '../../core/types.js';
import { type HttpAnswer, type JsonRpcId, SESSION_ID_HEADER } from '../../protocol.js';
import { badRequest } from '../shared/answers.js';
import type { SdkTransport } from './sdk.js';

const INITIALIZED_NOTIFICATION = Object.freeze({
  jsonrpc: '2.0',
  method: 'notifications/initialized',
});

/**
 * The transport refused a replayed request. `status` is its HTTP answer: a 4xx (a `Host` or
 * `Origin` that its DNS rebinding protection refuses answers 403) is the request's fault and
 * is answered as such by the handler; `message` carries the transport's own error message.
 */
export class InitializeReplayError extends Error {
  override readonly name = 'InitializeReplayError';

  constructor(
    /** The HTTP status the transport answered the replayed request with. */
    readonly status: number,
    /** The transport's error message, from its JSON-RPC error body (empty when it had none). */
    readonly detail: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The client's 4xx for a restore the SDK transport refused (its DNS rebinding protection, set
 * through `transportOptions`, refusing the request's `Host` or `Origin`): the transport's status
 * and message, as it would have answered the request itself.
 */
export function refusedReplay(error: InitializeReplayError, rpcId: JsonRpcId): HttpAnswer {
  return badRequest(error.detail || 'The request was refused.', rpcId, error.status);
}

/** The `error.message` of a JSON-RPC error body; empty when there is none. */
function errorMessageOf(text: string): string {
  try {
    const message: unknown = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}

/**
 * Brings a fresh, connected transport into the state of an existing session: replays the
 * session's stored `initialize` request (the transport's `sessionIdGenerator` must return
 * `sessionId`), discards the answer, then delivers `notifications/initialized`. Uses public SDK
 * API only. `origin` supplies the `Host` and `Origin` headers, for DNS rebinding protection.
 *
 * @throws InitializeReplayError when the transport refuses the replayed request, with the
 *   status and message it answered.
 */
export async function replayInitialize(
  transport: Pick<SdkTransport, 'handleRequest'>,
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
  const text = await initialized.text();
  if (initialized.status !== 200) {
    throw new InitializeReplayError(
      initialized.status,
      errorMessageOf(text),
      `Replaying initialize answered ${initialized.status}.`,
    );
  }
  headers.set(SESSION_ID_HEADER, sessionId);
  const notified = await transport.handleRequest(
    new Request(origin.url, { method: 'POST', headers }),
    { parsedBody: INITIALIZED_NOTIFICATION },
  );
  const answer = await notified.text();
  if (notified.status !== 202) {
    throw new InitializeReplayError(
      notified.status,
      errorMessageOf(answer),
      `Replaying notifications/initialized answered ${notified.status}.`,
    );
  }
}
