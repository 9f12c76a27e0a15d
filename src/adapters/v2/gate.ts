import type { ServerResponse } from 'node:http';
import {
  isLegacyRequest,
  type WebStandardStreamableHTTPServerTransportOptions,
} from '@modelcontextprotocol/server';
import { answerForError } from '../shared/answers.js';
import { type NodeRequest, toWebRequest, writeNodeAnswer } from '../shared/node-bridge.js';
import { type Admission, StreamableHttpGateBase } from '../streamable-http/gate.js';
import type { V2GateOptions } from './options.js';
import { SDK_V2 } from './sdk-v2.js';

/**
 * A 2025-era request the gate let through, for a live session: the session checks passed (see
 * `Admission` of the SDK v1 entry), with transport options for SDK v2's transports
 * (`WebStandardStreamableHTTPServerTransport`, `NodeStreamableHTTPServerTransport`).
 */
export type LegacyAdmission = Admission<WebStandardStreamableHTTPServerTransportOptions> & {
  readonly era: 'legacy';
};

/** A 2026-07-28 request: the gate touched nothing; hand it to your `createMcpHandler`. */
export interface ModernPass {
  readonly era: 'modern';
  /** The request's JSON body (`parsedBody`, else `req.body`): pass it on as the parsed body. */
  readonly body: unknown;
}

/**
 * Sessions for servers that keep their own SDK v2 wiring (`isLegacyRequest` in front of a
 * `createMcpHandler(..., { legacy: 'reject' })` and their own `Map` of SDK v2 transports for
 * 2025-era clients). Per request, {@link StreamableHttpGate.admit} tells the eras apart with SDK
 * v2's `isLegacyRequest`, given the already parsed body:
 *
 * - a 2026-07-28 request resolves `{ era: 'modern' }`, untouched: no session is looked at, no
 *   answer written;
 * - a 2025-era request gets the session checks and answers of the SDK v1 entry's gate (400
 *   without a session header, 404 `SESSION_EXPIRED` / `SESSION_NOT_FOUND`, 503 with
 *   `Retry-After`, 405, 403 from DNS rebinding protection, 406), a session registered for
 *   `initialize` before any transport exists, its pin held until the response finished, and
 *   resolves a {@link LegacyAdmission}.
 *
 * @example
 * ```ts
 * const gate = new StreamableHttpGate({ sessions });
 * const modern = toNodeHandler(createMcpHandler(buildServer, { legacy: 'reject' }));
 * const transports = new Map<string, NodeStreamableHTTPServerTransport>();
 * app.all('/mcp', express.json(), async (req, res) => {
 *   const pass = await gate.admit(req, res);
 *   if (pass === undefined) return; // answered 400 / 404 / 503
 *   if (pass.era === 'modern') return modern(req, res, pass.body);
 *   let transport = transports.get(pass.sessionId);
 *   if (transport === undefined) {
 *     transport = new NodeStreamableHTTPServerTransport(pass.transportOptions());
 *     transports.set(pass.sessionId, transport);
 *     const server = buildServer();
 *     pass.closeOnEnd(transport, server, () => transports.delete(pass.sessionId));
 *     await server.connect(transport);
 *   }
 *   await transport.handleRequest(req, res, pass.body);
 * });
 * ```
 */
export class StreamableHttpGate {
  readonly #legacy: StreamableHttpGateBase<WebStandardStreamableHTTPServerTransportOptions>;
  readonly #retryAfterSeconds: number;

  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: V2GateOptions) {
    this.#legacy = new StreamableHttpGateBase(options, SDK_V2);
    this.#retryAfterSeconds = options.retryAfterSeconds ?? 5;
  }

  /**
   * Tells a request's era, then admits or answers a 2025-era one. The body is `parsedBody`, else
   * `req.body`; the gate does not read the request stream (parse JSON first, e.g. with
   * `express.json()`). Resolves `undefined` when it answered (a `Host` that forms no URL 400),
   * a {@link ModernPass} or a {@link LegacyAdmission}; never rejects.
   */
  async admit(
    req: NodeRequest,
    res: ServerResponse,
    parsedBody?: unknown,
  ): Promise<LegacyAdmission | ModernPass | undefined> {
    const body = parsedBody === undefined ? req.body : parsedBody;
    let legacy: boolean;
    try {
      legacy = await isLegacyRequest(toWebRequest(req), req.method === 'POST' ? body : undefined);
    } catch (error) {
      writeNodeAnswer(res, answerForError(error, null, this.#retryAfterSeconds));
      return undefined;
    }
    if (!legacy) return { era: 'modern', body };
    const admission = await this.#legacy.admit(req, res, body);
    return admission === undefined ? undefined : { ...admission, era: 'legacy' };
  }
}
