import { describe, expect, it } from 'vitest';
import { BodyOverflowError, onBodyDone } from '../../src/adapters/shared/track-body.js';

/** A streamed body its test writes to, and what happened to it. */
function source() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = 'not cancelled';
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  return {
    response: new Response(stream, {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
    }),
    write: (bytes: number) => controller.enqueue(new Uint8Array(bytes)),
    end: () => controller.close(),
    get cancelled() {
      return cancelled;
    },
  };
}

/** Resolves once `check` holds, letting queued stream work run between looks (at most 1000). */
async function settled(check: () => boolean): Promise<void> {
  for (let n = 0; n < 1000 && !check(); n++) await new Promise((resolve) => setImmediate(resolve));
  expect(check()).toBe(true);
}

describe('onBodyDone', () => {
  it('calls done once when the body is read to the end, keeping status and headers', async () => {
    const s = source();
    let calls = 0;
    const tracked = onBodyDone(s.response, () => calls++);
    expect(tracked.status).toBe(200);
    expect(tracked.headers.get('content-type')).toBe('text/event-stream');
    s.write(3);
    s.end();
    expect((await tracked.arrayBuffer()).byteLength).toBe(3);
    expect(calls).toBe(1);
  });

  it('calls done once when the consumer cancels, and cancels the source', async () => {
    const s = source();
    let calls = 0;
    const tracked = onBodyDone(s.response, () => calls++);
    await tracked.body!.cancel('gone');
    expect(calls).toBe(1);
    expect(s.cancelled).toBe('gone');
  });

  it('calls done at once for a response without a body', () => {
    let calls = 0;
    const response = onBodyDone(new Response(null, { status: 202 }), () => calls++);
    expect(response.status).toBe(202);
    expect(calls).toBe(1);
  });

  describe('with maxBufferedBytes', () => {
    it('passes a body its consumer keeps up with, whatever its total size', async () => {
      const s = source();
      let calls = 0;
      const tracked = onBodyDone(s.response, () => calls++, 1024);
      const reader = tracked.body!.getReader();
      let received = 0;
      for (let n = 0; n < 100; n++) {
        s.write(512);
        const { value } = await reader.read();
        received += value!.byteLength;
      }
      s.end();
      expect((await reader.read()).done).toBe(true);
      expect(received).toBe(51_200);
      expect(calls).toBe(1);
      expect(s.cancelled).toBe('not cancelled');
    });

    it('ends the body with BodyOverflowError and cancels the source once more than the bound waits unread', async () => {
      const s = source();
      let calls = 0;
      const tracked = onBodyDone(s.response, () => calls++, 1024);
      s.write(1000);
      s.write(24);
      for (let n = 0; n < 20; n++) await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toBe(0); // exactly at the bound: still open
      expect(s.cancelled).toBe('not cancelled');
      s.write(1);
      await settled(() => calls === 1);
      expect(s.cancelled).toBeInstanceOf(BodyOverflowError);
      const reader = tracked.body!.getReader();
      await expect(reader.read()).rejects.toBeInstanceOf(BodyOverflowError);
      expect((s.cancelled as BodyOverflowError).maxBufferedBytes).toBe(1024);
      expect(calls).toBe(1);
    });

    it('calls done once when the source fails, and the consumer sees its error', async () => {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
      });
      let calls = 0;
      const tracked = onBodyDone(new Response(stream), () => calls++, 1024);
      const failure = new Error('transport closed');
      controller.error(failure);
      await settled(() => calls === 1);
      await expect(tracked.body!.getReader().read()).rejects.toBe(failure);
    });
  });
});
