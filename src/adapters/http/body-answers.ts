import type { HttpAnswer } from './answers.js';

const JSON_HEADERS = Object.freeze({ 'content-type': 'application/json' });

/** 400 with JSON-RPC `-32700`: the body is not valid JSON. */
export function parseError(): HttpAnswer {
  return {
    status: 400,
    headers: JSON_HEADERS,
    body: '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: Invalid JSON"},"id":null}',
  };
}

/** 413 with JSON-RPC `-32000`: the body is larger than `maxBytes`. */
export function payloadTooLarge(maxBytes: number): HttpAnswer {
  return {
    status: 413,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message: `Payload Too Large: Request body must not exceed ${maxBytes} bytes`,
      },
      id: null,
    }),
  };
}

/** 405 with `Allow` and JSON-RPC `-32000`, for methods other than `allowed`. */
export function methodNotAllowed(allowed: readonly string[]): HttpAnswer {
  return {
    status: 405,
    headers: { ...JSON_HEADERS, allow: allowed.join(', ') },
    body: '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Method not allowed."},"id":null}',
  };
}
