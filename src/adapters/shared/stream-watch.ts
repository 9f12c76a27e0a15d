import type { ServerResponse } from 'node:http';
import type { Clock } from '../../core/clock.js';
import { noop } from '../../core/functions.js';
import { unrefTimer } from '../../core/timers.js';

/** How often a {@link StreamWatch} looks at its open streams, in ms of real time. */
export const STREAM_CHECK_INTERVAL_MS = 1000;

/** The bounds a {@link StreamWatch} enforces, in ms; `0` turns one off. */
export interface StreamBounds {
  /** Longest time a timed stream stays open, in ms (0 to 2^31-1; `0`: unbounded). */
  readonly maxStreamDurationMs: number;
  /** Longest unbroken write stall of a node:http stream, in ms (0 to 2^31-1; `0`: never). */
  readonly writeStallTimeoutMs: number;
  /** TCP keep-alive delay set on a node:http stream's socket, in ms (0 to 2^31-1; `0`: not set). */
  readonly tcpKeepAliveMs: number;
}

/** One open stream under watch. */
interface Watched {
  readonly openedAt: number;
  stalledSince: number;
  readonly res: ServerResponse | undefined;
  readonly expire: (() => void) | undefined;
  readonly stall: (() => void) | undefined;
}

/**
 * The open event streams of one handler and their bounds: TCP keep-alive set on a node:http
 * stream's socket when it opens; on an `unref()`'d tick every {@link STREAM_CHECK_INTERVAL_MS}
 * (running only while a stream is watched), times read from the manager's clock, a stream open
 * longer than `maxStreamDurationMs` is ended, and a node:http stream whose socket has had bytes
 * waiting (`writableNeedDrain`) at every tick for `writeStallTimeoutMs` is dropped. Internal.
 */
export class StreamWatch {
  readonly #clock: Clock;
  readonly #bounds: StreamBounds;
  readonly #streams = new Set<Watched>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param clock the manager's clock, which times every bound. @param bounds validated by the handler's options. */
  constructor(clock: Clock, bounds: StreamBounds) {
    this.#clock = clock;
    this.#bounds = bounds;
  }

  /**
   * Watches a stream that just opened until the answered function is called (call it once the
   * stream closed).
   *
   * @param res the node:http response it is written to; `undefined` on a `fetch` door (no
   *   socket: only the duration bound applies).
   * @param expire ends the stream gracefully once it has been open `maxStreamDurationMs`;
   *   `undefined`: no duration bound for this stream.
   * @param stall drops the stream once its writes stalled for `writeStallTimeoutMs`.
   *   @default `res.destroy()`
   */
  open(
    res: ServerResponse | undefined,
    expire: (() => void) | undefined,
    stall?: () => void,
  ): () => void {
    const { maxStreamDurationMs, writeStallTimeoutMs, tcpKeepAliveMs } = this.#bounds;
    if (res !== undefined && tcpKeepAliveMs > 0) res.socket?.setKeepAlive(true, tcpKeepAliveMs);
    const timed = maxStreamDurationMs > 0 && expire !== undefined;
    const watchesStall = writeStallTimeoutMs > 0 && res !== undefined;
    if (!timed && !watchesStall) return noop;
    const watched: Watched = {
      openedAt: this.#clock.now(),
      stalledSince: -1,
      res: watchesStall ? res : undefined,
      expire: timed ? expire : undefined,
      stall,
    };
    this.#streams.add(watched);
    this.#timer ??= unrefTimer(setInterval(() => this.#check(), STREAM_CHECK_INTERVAL_MS));
    return () => this.#forget(watched);
  }

  #forget(watched: Watched): void {
    if (!this.#streams.delete(watched) || this.#streams.size > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = this.#clock.now();
    const { maxStreamDurationMs, writeStallTimeoutMs } = this.#bounds;
    for (const watched of this.#streams) {
      const { res } = watched;
      if (watched.expire !== undefined && now - watched.openedAt >= maxStreamDurationMs) {
        this.#forget(watched);
        watched.expire();
      } else if (res !== undefined) {
        if (!res.writableNeedDrain || res.destroyed) watched.stalledSince = -1;
        else if (watched.stalledSince < 0) watched.stalledSince = now;
        else if (now - watched.stalledSince >= writeStallTimeoutMs) {
          this.#forget(watched);
          if (watched.stall === undefined) res.destroy();
          else watched.stall();
        }
      }
    }
  }
}
