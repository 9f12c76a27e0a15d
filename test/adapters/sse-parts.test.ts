import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { wrongSessionKind } from '../../src/adapters/shared/answers.js';
import { isJsonContentType, readNodeJson } from '../../src/adapters/shared/body.js';
import { SseGate, SseHandler } from '../../src/adapters/sse/index.js';
import {
  resolveSseGateOptions,
  resolveSseHandlerOptions,
  SSE_KIND,
} from '../../src/adapters/sse/options.js';
import { pathOf, sessionIdOf } from '../../src/adapters/sse/url.js';
import { SessionError, SessionManager } from '../../src/index.js';

const createServer = () => {
  throw new Error('not called');
};

function optionError(run: () => unknown): SessionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionError).code).toBe('INVALID_OPTION');
    return error as SessionError;
  }
  throw new Error('expected an INVALID_OPTION error');
}

describe('SSE options', () => {
  const sessions = new SessionManager({ autoStart: false });

  it('applies documented defaults', () => {
    const gate = resolveSseGateOptions({ sessions });
    expect(gate.keepAliveMs).toBe(15_000);
    expect(gate.retryAfterSeconds).toBe(5);
    expect(gate.ownerOf).toBeTypeOf('function');
    const handler = resolveSseHandlerOptions({ sessions, createServer });
    expect(handler).toMatchObject({
      ssePath: '/sse',
      messagesPath: '/messages',
      endpoint: undefined,
      maxRequestBodySize: 4 * 1024 * 1024,
      maxBufferedBytes: 1024 * 1024,
      keepAliveMs: 15_000,
      retryAfterSeconds: 5,
      logger: console,
    });
    expect(handler.ownerOf).toBeTypeOf('function');
    expect(resolveSseGateOptions({ sessions, keepAliveMs: 0 }).keepAliveMs).toBe(0);
  });

  it('names the field, the value and the accepted range', () => {
    expect(optionError(() => new SseGate({ sessions, keepAliveMs: -1 })).message).toBe(
      'Invalid SseGate option `keepAliveMs`: expected an integer number of ms from 0 (off) to 2147483647, got -1.',
    );
    expect(optionError(() => new SseGate({ sessions, retryAfterSeconds: 0.5 })).message).toContain(
      '`retryAfterSeconds`',
    );
    expect(optionError(() => new SseGate({ sessions, ownerOf: 'sub' as never })).message).toContain(
      'a function (authInfo, request) => string | undefined',
    );
    expect(optionError(() => new SseGate({ sessions, keepAlive: 5 } as never)).message).toContain(
      'Unknown SseGate option `keepAlive`',
    );
    expect(optionError(() => new SseGate({} as never)).message).toMatch(
      /`sessions`.*SessionManager/,
    );
    expect(optionError(() => new SseHandler({ sessions } as never)).message).toContain(
      '`createServer`',
    );
    expect(optionError(() => new SseHandler({ createServer } as never)).message).toMatch(
      /`sessions`.*SessionManager/,
    );
    expect(
      optionError(() => new SseHandler({ sessions, createServer, ssePath: 'sse' })).message,
    ).toContain("a path starting with '/'");
    expect(
      optionError(() => new SseHandler({ sessions, createServer, messagesPath: '/m?x=1' })).message,
    ).toContain('without query');
    expect(
      optionError(() => new SseHandler({ sessions, createServer, messagesPath: '/sse' })).message,
    ).toContain('a path other than ssePath');
    expect(
      optionError(() => new SseHandler({ sessions, createServer, maxRequestBodySize: 0 })).message,
    ).toContain('`maxRequestBodySize`');
    expect(
      optionError(() => new SseHandler({ sessions, createServer, logger: 'console' as never }))
        .message,
    ).toContain('`logger`');
    for (const maxBufferedBytes of [1023, 1_073_741_825, 2048.5]) {
      expect(
        optionError(() => new SseHandler({ sessions, createServer, maxBufferedBytes })).message,
      ).toBe(
        `Invalid SseHandler option \`maxBufferedBytes\`: expected an integer number of bytes from 1024 to 1073741824, got ${maxBufferedBytes}.`,
      );
    }
    expect(
      resolveSseHandlerOptions({ sessions, createServer, maxBufferedBytes: 1024 }).maxBufferedBytes,
    ).toBe(1024);
    expect(optionError(() => new SseHandler(null as never)).message).toContain('must be an object');
  });
});

describe('request helpers', () => {
  it('reads the path and the sessionId query parameter', () => {
    expect(pathOf('/messages?sessionId=a')).toBe('/messages');
    expect(pathOf('/sse')).toBe('/sse');
    expect(pathOf(undefined)).toBe('/');
    expect(sessionIdOf('/messages?sessionId=abc&x=1')).toBe('abc');
    expect(sessionIdOf('/messages?x=1&sessionId=a%2Bb')).toBe('a+b');
    expect(sessionIdOf('/messages?sessionId=')).toBe('');
    expect(sessionIdOf('/messages')).toBeNull();
    expect(sessionIdOf('/messages?session=abc')).toBeNull();
    expect(sessionIdOf(undefined)).toBeNull();
  });

  it('recognises JSON content types', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('application/jsonx')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  function body(chunks: string[], headers: Record<string, string> = {}): IncomingMessage {
    const stream = new PassThrough();
    Object.assign(stream, { headers: { 'content-type': 'application/json', ...headers } });
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
    return stream as unknown as IncomingMessage;
  }

  /** The status and JSON-RPC error code of a refused body, or the value of a parsed one. */
  async function read(req: IncomingMessage, maxBytes: number) {
    const result = await readNodeJson(req, maxBytes);
    if ('value' in result) return { value: result.value };
    const { status, body } = result.answer;
    return { status, code: JSON.parse(body).error.code as number };
  }

  it('reads a JSON body within its limit, and says why it could not', async () => {
    expect(await read(body(['{"a":', '[1,2]}']), 100)).toEqual({ value: { a: [1, 2] } });
    expect(await read(body(['{"a":']), 100)).toEqual({ status: 400, code: -32700 });
    expect(await read(body(['x'.repeat(60), 'x'.repeat(60)]), 100)).toEqual({
      status: 413,
      code: -32000,
    });
    expect(await read(body(['{}'], { 'content-length': '101' }), 100)).toEqual({
      status: 413,
      code: -32000,
    });
    expect(await read(body(['{}'], { 'content-type': 'text/plain' }), 100)).toEqual({
      status: 415,
      code: -32000,
    });
    const broken = new PassThrough();
    Object.assign(broken, { headers: { 'content-type': 'application/json' } });
    const pending = read(broken as unknown as IncomingMessage, 100);
    broken.destroy(new Error('socket hang up'));
    expect(await pending).toEqual({ status: 400, code: -32700 });
  });
});

describe('session kind', () => {
  it('answers 400 naming both transports', () => {
    expect(SSE_KIND).toBe('sse');
    const answer = wrongSessionKind('streamable-http', 'sse', 9);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32000,
        message:
          'This session belongs to the streamable-http transport, not sse; send its requests through the transport that created it.',
      },
      id: 9,
    });
    expect(JSON.parse(wrongSessionKind(undefined, 'sse').body).error.message).toContain(
      'belongs to no transport',
    );
  });
});
