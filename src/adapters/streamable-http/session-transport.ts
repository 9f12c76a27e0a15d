import type { SessionRecord } from '../../core/types.js';
import type { AuthInfo } from '../shared/auth-info.js';
import type { LocalSession } from '../shared/registry.js';
import type { RelayedSession } from './fleet.js';
import { eventStoreFor } from './fleet-event-store.js';
import type { UsedSession } from './idle-trim.js';
import type { ResolvedStreamableHttpOptions } from './options.js';
import type { HandleOptions, SdkEventStore, SdkTransport, StreamableSdk } from './sdk.js';

/** This process's transport and server of one session. */
export interface LocalTransport extends LocalSession, UsedSession, RelayedSession {
  readonly transport: SdkTransport;
  readonly eventStore: SdkEventStore | undefined;
}

/** The SDK's per-request options: the parsed body and, when known, the principal. */
export function handleOptions(body: unknown, authInfo: AuthInfo | undefined): HandleOptions {
  return authInfo === undefined ? { parsedBody: body } : { parsedBody: body, authInfo };
}

/**
 * A new transport of `sdk` for `session`, named by its ID: the `transportOptions` of the handler,
 * its keep-alive, and an event store (the one given, else the store's shared log when it offers
 * one and `eventLog` is on, else none). `deleted` runs when the client sends `DELETE`.
 */
export function buildTransport(
  sdk: StreamableSdk,
  session: SessionRecord,
  options: ResolvedStreamableHttpOptions,
  deleted: (id: string) => Promise<void>,
): {
  readonly transport: SdkTransport;
  readonly eventStore: SdkEventStore | undefined;
} {
  const id = session.id;
  const { sessions, eventLog } = options;
  const extras = options.transportOptions?.(session);
  const eventStore = eventStoreFor(
    extras?.eventStore,
    eventLog,
    sessions.store,
    id,
    sessions.policy,
  );
  const transport = new sdk.Transport({
    ...extras,
    ...(eventStore === undefined ? {} : { eventStore }),
    sessionIdGenerator: () => id,
    onsessionclosed: deleted,
    keepAliveMs: options.keepAliveMs,
  });
  return { transport, eventStore };
}
