import { SessionError } from '../../core/errors.js';
import { describeValue } from '../../core/validate.js';

/**
 * A change event for `subscriptions/listen` streams, shaped like SDK v2's `ServerEvent`
 * (`@modelcontextprotocol/server`): tool, prompt or resource lists changed, or one resource was
 * updated, with optional notification params.
 */
export type ServerEventLike = (
  | { kind: 'tools_list_changed' }
  | { kind: 'prompts_list_changed' }
  | { kind: 'resources_list_changed' }
  | { kind: 'resource_updated'; uri: string }
) & {
  /** Notification params forwarded to the subscribers (the SDK stamps its own IDs over them). */
  params?: { [key: string]: unknown } | undefined;
};

/**
 * The shape of SDK v2's `ServerEventBus`: where `createMcpHandler` sources the change events of
 * its `subscriptions/listen` streams. Any implementation of it can be passed as v2's `bus`.
 */
export interface ServerEventBusLike {
  /** Delivers `event` to every listener (except the one publishing, inside its own dispatch). */
  publish(event: ServerEventLike): void;
  /** Registers `listener`; answers an idempotent unsubscribe function. */
  subscribe(listener: (event: ServerEventLike) => void): () => void;
}

const LIST_KINDS: ReadonlySet<unknown> = new Set([
  'tools_list_changed',
  'prompts_list_changed',
  'resources_list_changed',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` is a {@link ServerEventLike}. */
export function isServerEvent(value: unknown): value is ServerEventLike {
  if (!isPlainObject(value)) return false;
  if (value.params !== undefined && !isPlainObject(value.params)) return false;
  if (LIST_KINDS.has(value.kind)) return true;
  return value.kind === 'resource_updated' && typeof value.uri === 'string';
}

/**
 * Checks an event handed to `publish`.
 * @throws SessionError `INVALID_ARGUMENT` naming the value and the accepted kinds.
 */
export function assertServerEvent(value: unknown): asserts value is ServerEventLike {
  if (isServerEvent(value)) return;
  const shown = describeValue(value).slice(0, 80);
  throw new SessionError(
    'INVALID_ARGUMENT',
    `Invalid server event ${shown}: expected { kind } with kind tools_list_changed, prompts_list_changed or resources_list_changed, or { kind: 'resource_updated', uri: string }, and optional object params.`,
  );
}

/** An event as it travels on the bus channel: the publishing bus's ID and the event. */
interface BusWireMessage {
  readonly from: string;
  readonly event: ServerEventLike;
}

/** The JSON text of one bus message. */
export function encodeBusMessage(from: string, event: ServerEventLike): string {
  return JSON.stringify({ from, event });
}

/** The bus message in `text`, or `undefined` when it is not one (never throws). */
export function decodeBusMessage(text: string): BusWireMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed)) return undefined;
  const { from, event } = parsed;
  return typeof from === 'string' && from.length > 0 && isServerEvent(event)
    ? { from, event }
    : undefined;
}
