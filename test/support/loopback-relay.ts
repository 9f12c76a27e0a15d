import type { RelayEnvelope, RelayListener, SessionRelay } from '../../src/core/relay.js';

/** How many times each relay method was called, per replica. */
export interface RelayCalls {
  send: number;
  broadcast: number;
  holdStream: number;
  releaseStream: number;
  streamHolder: number;
}

function noCalls(): RelayCalls {
  return { send: 0, broadcast: 0, holdStream: 0, releaseStream: 0, streamHolder: 0 };
}

/**
 * An in-process bus of named replicas: a test double of the `SessionRelay` contract. Envelopes
 * are copied through JSON (as a network relay serializes them) and delivered on a later task,
 * never inside the sender's call.
 */
export class LoopbackBus {
  readonly #listeners = new Map<string, Set<RelayListener>>();
  readonly #holders = new Map<string, string>();
  /** Every envelope handed over, with its address (`*` for broadcasts), in order. */
  readonly log: Array<{ readonly to: string; readonly envelope: RelayEnvelope }> = [];

  /** A relay for replica `replicaId` on this bus. */
  relay(replicaId: string): LoopbackRelay {
    return new LoopbackRelay(this, replicaId);
  }

  /** The replica recorded as holding the stream of `sessionId`. */
  holder(sessionId: string): string | undefined {
    return this.#holders.get(sessionId);
  }

  /** @internal */
  listeners(replicaId: string): Set<RelayListener> {
    let set = this.#listeners.get(replicaId);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(replicaId, set);
    }
    return set;
  }

  /** @internal */
  deliver(to: string, envelope: RelayEnvelope): boolean {
    const listeners = this.#listeners.get(to);
    if (listeners === undefined || listeners.size === 0) return false;
    this.log.push({ to, envelope });
    const copy = JSON.parse(JSON.stringify(envelope)) as RelayEnvelope;
    setImmediate(() => {
      for (const listener of listeners) listener(copy);
    });
    return true;
  }

  /** @internal */
  replicas(): string[] {
    return [...this.#listeners].filter(([, set]) => set.size > 0).map(([id]) => id);
  }

  /** @internal */
  hold(sessionId: string, replicaId: string): void {
    this.#holders.set(sessionId, replicaId);
  }

  /** @internal */
  release(sessionId: string, replicaId: string): void {
    if (this.#holders.get(sessionId) === replicaId) this.#holders.delete(sessionId);
  }
}

/** One replica's relay on a {@link LoopbackBus}, counting its calls. */
export class LoopbackRelay implements SessionRelay {
  readonly replicaId: string;
  /** Calls so far; reset with {@link LoopbackRelay.resetCalls}. */
  calls: RelayCalls = noCalls();
  readonly #bus: LoopbackBus;
  readonly #mine = new Set<RelayListener>();

  constructor(bus: LoopbackBus, replicaId: string) {
    this.#bus = bus;
    this.replicaId = replicaId;
  }

  resetCalls(): void {
    this.calls = noCalls();
  }

  /** Relay calls so far, all methods together. */
  get totalCalls(): number {
    return Object.values(this.calls).reduce((sum, n) => sum + n, 0);
  }

  async listen(listener: RelayListener): Promise<() => void> {
    const set = this.#bus.listeners(this.replicaId);
    set.add(listener);
    this.#mine.add(listener);
    return () => {
      set.delete(listener);
      this.#mine.delete(listener);
    };
  }

  async send(to: string, envelope: RelayEnvelope): Promise<boolean> {
    this.calls.send++;
    return this.#bus.deliver(to, envelope);
  }

  async broadcast(envelope: RelayEnvelope): Promise<void> {
    this.calls.broadcast++;
    for (const replica of this.#bus.replicas()) {
      if (replica !== this.replicaId) this.#bus.deliver(replica, envelope);
    }
  }

  async holdStream(sessionId: string): Promise<void> {
    this.calls.holdStream++;
    this.#bus.hold(sessionId, this.replicaId);
  }

  async releaseStream(sessionId: string): Promise<void> {
    this.calls.releaseStream++;
    this.#bus.release(sessionId, this.replicaId);
  }

  async streamHolder(sessionId: string): Promise<string | undefined> {
    this.calls.streamHolder++;
    return this.#bus.holder(sessionId);
  }

  /** Stops listening: envelopes to this replica are no longer handed over. */
  async close(): Promise<void> {
    const set = this.#bus.listeners(this.replicaId);
    for (const listener of this.#mine) set.delete(listener);
    this.#mine.clear();
  }
}
