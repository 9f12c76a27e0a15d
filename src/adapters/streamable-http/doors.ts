import { noop } from '../../core/functions.js';
import { type HttpAnswer, type JsonRpcId, requestIdOf } from '../../protocol.js';
import { toWebResponse } from '../shared/answers.js';
import type { AuthInfo } from '../shared/auth-info.js';
import { postBody, readNodeJson, readWebJson } from '../shared/body.js';
import { countMistake } from '../shared/client-mistakes.js';
import { doorArgument, type FailureContext, failNode, failureAnswer } from '../shared/failure.js';
import {
  clientAddressOf,
  type NodeDoor,
  toWebRequest,
  writeNodeAnswer,
  writeWebResponse,
} from '../shared/node-bridge.js';
import type { WebRequestOptions } from '../shared/options.js';
import type { StreamWatch } from '../shared/stream-watch.js';
import { onBodyDone } from '../shared/track-body.js';

/** How a request was served: an answer of ours, a failure to report, or the SDK's response. */
export type Served =
  | { readonly answer: HttpAnswer }
  /** An unexpected failure, for the door to answer or hand to `next`. */
  | { readonly failure: unknown }
  /** `finish` runs once the response has been sent or its stream closed. */
  | { readonly response: Response; readonly finish: (() => Promise<void>) | undefined };

/**
 * Serves one request whose `POST` body (if any) has been read and parsed, from the client at
 * `address` (counted by `creationRate.perAddress`; `undefined`: unknown). Never rejects.
 */
export type Serve = (
  request: Request,
  body: unknown,
  authInfo: AuthInfo | undefined,
  address: string | undefined,
) => Promise<Served>;

/** What the doors need of their handler. */
export interface DoorContext {
  readonly failure: FailureContext;
  readonly maxRequestBodySize: number;
  readonly maxBufferedBytes: number;
  readonly watch: StreamWatch;
}

/** The Web front door: `Request -> Response`; never rejects. */
export type FetchDoor = (request: Request, options?: WebRequestOptions) => Promise<Response>;

/**
 * The two front doors of a Streamable HTTP handler around `serve`: each reads and parses a `POST`
 * body once (415, 413, 400 before `serve` is called), then writes what `serve` answers. The node
 * door takes a function third argument as Express's `next` (for unexpected errors), any other as
 * the parsed body, else `req.body`; `req.auth` is the `authInfo`, and the client address is
 * `req.ip` or the socket's (`options.clientAddress` on the fetch door). A node client that goes away has
 * its response cancelled. Unexpected failures answer 500 (logged) or go to `next`.
 */
export function streamableDoors(
  context: DoorContext,
  serve: Serve,
): { readonly node: NodeDoor; readonly fetch: FetchDoor } {
  const mistake = (answer: HttpAnswer) => countMistake(context.failure.sessions, answer);
  const node: NodeDoor = async (req, res, nextOrParsedBody) => {
    const { next, parsedBody } = doorArgument(nextOrParsedBody);
    let rpcId: JsonRpcId = null;
    // Listened for from the start: a client can leave while its request waits on the store.
    let gone = false;
    res.once('close', () => {
      gone = true;
    });
    try {
      const request = toWebRequest(req);
      let body: unknown;
      if (req.method === 'POST') {
        const supplied = parsedBody ?? req.body;
        const read = await postBody(req.headers['content-type'], supplied, () =>
          readNodeJson(req, context.maxRequestBodySize),
        );
        if ('answer' in read) return writeNodeAnswer(res, mistake(read.answer));
        body = read.value;
        rpcId = requestIdOf(body);
      }
      const served = await serve(request, body, req.auth, clientAddressOf(req));
      if ('answer' in served) return writeNodeAnswer(res, mistake(served.answer));
      if ('failure' in served) return failNode(context.failure, res, next, served.failure, rpcId);
      try {
        if (gone) await served.response.body?.cancel().catch(noop);
        else {
          const get = req.method === 'GET';
          await writeWebResponse(
            res,
            served.response,
            context.maxBufferedBytes,
            context.watch,
            get,
          );
        }
      } finally {
        void served.finish?.();
      }
    } catch (error) {
      failNode(context.failure, res, next, error, rpcId);
    }
  };

  const fetch: FetchDoor = async (request, options = {}) => {
    let rpcId: JsonRpcId = null;
    try {
      let body: unknown;
      if (request.method === 'POST') {
        const read = await postBody(request.headers.get('content-type'), options.parsedBody, () =>
          readWebJson(request, context.maxRequestBodySize),
        );
        if ('answer' in read) return toWebResponse(mistake(read.answer));
        body = read.value;
        rpcId = requestIdOf(body);
      }
      const served = await serve(request, body, options.authInfo, options.clientAddress);
      if ('answer' in served) return toWebResponse(mistake(served.answer));
      if ('failure' in served) {
        return toWebResponse(failureAnswer(context.failure, served.failure, rpcId));
      }
      return served.finish === undefined
        ? served.response
        : onBodyDone(served.response, served.finish, context.maxBufferedBytes);
    } catch (error) {
      return toWebResponse(failureAnswer(context.failure, error, rpcId));
    }
  };

  return { node, fetch };
}
