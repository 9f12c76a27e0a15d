import type { WebStandardStreamableHTTPServerTransportOptions } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { type Admission as GateAdmission, StreamableHttpGateBase } from './gate.js';
import { StreamableHttpHandlerBase } from './handler.js';
import type { StreamableHttpGateOptions, StreamableHttpHandlerOptions } from './options.js';
import { SDK_V1 } from './sdk-v1.js';

/**
 * A complete Streamable HTTP endpoint with sessions on SDK v1 (`@modelcontextprotocol/sdk`): one
 * `WebStandardStreamableHTTPServerTransport` and one server per session. Behaviour, doors and
 * failure modes: see {@link StreamableHttpHandlerBase}.
 *
 * @example
 * ```ts
 * const mcp = new StreamableHttpHandler({ sessions, createServer: () => buildServer() });
 * app.all('/mcp', express.json(), mcp.node);
 * ```
 */
/** A request {@link StreamableHttpGate} let through: the SDK v1 transport options it builds. */
export type Admission = GateAdmission<WebStandardStreamableHTTPServerTransportOptions>;

export class StreamableHttpHandler extends StreamableHttpHandlerBase {
  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: StreamableHttpHandlerOptions) {
    super(options, SDK_V1);
  }
}

/**
 * Sessions for servers that keep their own `Map` of SDK v1 transports: see
 * {@link StreamableHttpGateBase} for what {@link StreamableHttpGateBase.admit} answers and
 * the {@link Admission} it resolves.
 */
export class StreamableHttpGate extends StreamableHttpGateBase<WebStandardStreamableHTTPServerTransportOptions> {
  /** @throws SessionError `INVALID_OPTION` naming the field, the value and what is accepted. */
  constructor(options: StreamableHttpGateOptions) {
    super(options, SDK_V1);
  }
}
