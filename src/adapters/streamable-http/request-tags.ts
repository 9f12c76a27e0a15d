import type { RpcMessage } from './sdk.js';

/**
 * Request IDs that name the replica that sent them. Each replica's server numbers its own
 * requests to the client (0, 1, 2...), so in a fleet two replicas' requests can share an ID; the
 * client echoes the ID in its answer, which may land on any replica. Tagged, an ID reads
 * `<replicaId>.<n|s>.<original>` (`n`: the original was a number, `s`: a string), and the
 * replica the answer belongs to can be told from the answer alone. Internal.
 *
 * @module
 */

type RequestId = string | number;

/** `id` tagged with `replicaId` (which holds no `.`). */
export function tagId(replicaId: string, id: RequestId): string {
  return `${replicaId}.${typeof id === 'number' ? 'n' : 's'}.${id}`;
}

/** The replica and original ID of a tagged ID; `undefined` for an ID that is not tagged. */
export function untagId(id: unknown): { replica: string; id: RequestId } | undefined {
  if (typeof id !== 'string') return undefined;
  const first = id.indexOf('.');
  if (first < 1 || id.length < first + 3 || id[first + 2] !== '.') return undefined;
  const kind = id[first + 1];
  const original = id.slice(first + 3);
  if (kind === 's') return { replica: id.slice(0, first), id: original };
  if (kind !== 'n') return undefined;
  const number = Number(original);
  if (original === '' || !Number.isSafeInteger(number)) return undefined;
  return { replica: id.slice(0, first), id: number };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `message` as it leaves a replica: a request gets a tagged `id`, a `notifications/cancelled`
 * a tagged `params.requestId`; anything else comes back as it is (the same object).
 */
export function tagOutgoing(replicaId: string, message: RpcMessage): RpcMessage {
  const m = message as Record<string, unknown>;
  if (typeof m.method !== 'string') return message;
  if ('id' in m && (typeof m.id === 'string' || typeof m.id === 'number')) {
    return { ...m, id: tagId(replicaId, m.id) } as unknown as RpcMessage;
  }
  if (m.method === 'notifications/cancelled' && isRecord(m.params)) {
    const requestId = m.params.requestId;
    if (typeof requestId === 'string' || typeof requestId === 'number') {
      return {
        ...m,
        params: { ...m.params, requestId: tagId(replicaId, requestId) },
      } as unknown as RpcMessage;
    }
  }
  return message;
}

/** True when `message` is a JSON-RPC response or error response (it has no `method`). */
export function isResponse(message: unknown): boolean {
  return isRecord(message) && !('method' in message) && ('result' in message || 'error' in message);
}

/** The replica an answer of the client belongs to; `undefined` when its ID is not tagged. */
export function replicaOfResponse(message: unknown): string | undefined {
  return isRecord(message) ? untagId(message.id)?.replica : undefined;
}

/** `message` (a response) with its tagged ID back to the original; the same object otherwise. */
export function untagResponse<T>(message: T): T {
  if (!isRecord(message)) return message;
  const untagged = untagId(message.id);
  return untagged === undefined ? message : ({ ...message, id: untagged.id } as T);
}
