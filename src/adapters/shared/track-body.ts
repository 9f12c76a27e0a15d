/** What a bounded body errors with when its consumer falls too far behind. */
export class BodyOverflowError extends Error {
  override readonly name = 'BodyOverflowError';

  constructor(readonly maxBufferedBytes: number) {
    super(`The client read too slowly: more than ${maxBufferedBytes} bytes were waiting for it.`);
  }
}

/**
 * Answers `response` with a body that calls `done` once, when the body has been read to the end,
 * failed, or been cancelled by the consumer (a client that went away). A response without a body
 * calls `done` at once.
 *
 * With a finite `maxBufferedBytes`, the body is read from `response` as fast as it is produced
 * and what its consumer has not yet read is counted: past `maxBufferedBytes` the source is
 * cancelled, the body errors with {@link BodyOverflowError} and `done` is called, so a client
 * that stops reading an event stream ends it instead of growing memory. With `Infinity` (the
 * default) the body is read only as its consumer reads.
 */
export function onBodyDone(
  response: Response,
  done: () => unknown,
  maxBufferedBytes = Number.POSITIVE_INFINITY,
): Response {
  const body = response.body;
  if (body === null) {
    done();
    return response;
  }
  const reader = body.getReader();
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done();
  };
  const tracked =
    maxBufferedBytes === Number.POSITIVE_INFINITY
      ? pulled(reader, finish)
      : pumped(reader, finish, maxBufferedBytes);
  return new Response(tracked, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

type Reader = ReadableStreamDefaultReader<Uint8Array>;

/** Reads the source only when the consumer asks. */
function pulled(reader: Reader, finish: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done: ended, value } = await reader.read();
          if (ended) {
            controller.close();
            finish();
          } else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
          finish();
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Reads the source as it produces, queueing at most `maxBufferedBytes` for the consumer. */
function pumped(reader: Reader, finish: () => void, maxBufferedBytes: number) {
  let stopped = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const pump = async () => {
          try {
            for (;;) {
              const { done: ended, value } = await reader.read();
              if (stopped) return;
              if (ended) {
                stopped = true;
                controller.close();
                finish();
                return;
              }
              controller.enqueue(value);
              if ((controller.desiredSize ?? 0) < 0) {
                stopped = true;
                const error = new BodyOverflowError(maxBufferedBytes);
                controller.error(error);
                finish();
                await reader.cancel(error).catch(() => undefined);
                return;
              }
            }
          } catch (error) {
            if (stopped) return;
            stopped = true;
            controller.error(error);
            finish();
          }
        };
        void pump();
      },
      cancel(reason) {
        stopped = true;
        finish();
        return reader.cancel(reason);
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: maxBufferedBytes }),
  );
}
