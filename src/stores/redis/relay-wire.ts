import type { RelayEnvelope } from '../../core/relay.js';

/** A relay message as it travels on a channel: the sender's replica ID and the envelope. */
export interface WireMessage {
  readonly from: string;
  readonly envelope: RelayEnvelope;
}

/** The JSON text of one relay message. */
export function encodeWireMessage(from: string, envelope: RelayEnvelope): string {
  return JSON.stringify({ from, envelope });
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isEnvelope(value: unknown): value is RelayEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  if (!isNonEmptyString(e.sessionId)) return false;
  switch (e.type) {
    case 'to-stream':
      return 'message' in e;
    case 'to-server':
      return Array.isArray(e.messages);
    case 'ended':
      return true;
    default:
      return false;
  }
}

/** The relay message in `text`, or `undefined` when it is not one (never throws). */
export function decodeWireMessage(text: string): WireMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { from, envelope } = parsed as Record<string, unknown>;
  return isNonEmptyString(from) && isEnvelope(envelope) ? { from, envelope } : undefined;
}
