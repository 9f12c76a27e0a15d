import { MemoryStore, SessionError, type SessionStore } from '../../src/index.js';

/** The failure a {@link FaultyStore} injects by default. */
function injectedOutage(): unknown {
  return new SessionError('STORE_UNAVAILABLE', 'injected store outage');
}

/**
 * A fault injector around a real store: while `failing` is true, every call rejects with
 * `fault()` (by default `SessionError('STORE_UNAVAILABLE')`) without reaching the inner store.
 * `loseClaimReplies` counts down calls of `claimExpired` that reach the inner store (the claim
 * is applied) and then reject with `fault()`, as when a reply times out after the store ran it.
 */
export class FaultyStore implements SessionStore {
  failing = false;
  /** How many of the next `claimExpired` calls run on the inner store, then reject. */
  loseClaimReplies = 0;
  readonly inner: SessionStore;
  readonly #fault: () => unknown;

  /**
   * @param inner the store that answers while not failing. @default a new MemoryStore
   * @param fault what a failing call throws, e.g. a raw driver error. @default a STORE_UNAVAILABLE SessionError
   */
  constructor(inner: SessionStore = new MemoryStore(), fault: () => unknown = injectedOutage) {
    this.inner = inner;
    this.#fault = fault;
  }

  get shared(): boolean {
    return this.inner.shared;
  }

  #guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.failing) return Promise.reject(this.#fault());
    return call();
  }

  create: SessionStore['create'] = (...a) => this.#guard(() => this.inner.create(...a));
  get: SessionStore['get'] = (...a) => this.#guard(() => this.inner.get(...a));
  touch: SessionStore['touch'] = (...a) => this.#guard(() => this.inner.touch(...a));
  end: SessionStore['end'] = (...a) => this.#guard(() => this.inner.end(...a));
  claimExpired: SessionStore['claimExpired'] = (...a) =>
    this.#guard(async () => {
      const claimed = await this.inner.claimExpired(...a);
      if (this.loseClaimReplies === 0) return claimed;
      this.loseClaimReplies--;
      throw this.#fault();
    });
  evictOldest: SessionStore['evictOldest'] = (...a) =>
    this.#guard(() => this.inner.evictOldest(...a));
  count: SessionStore['count'] = (...a) => this.#guard(() => this.inner.count(...a));
  update: SessionStore['update'] = (...a) => this.#guard(() => this.inner.update(...a));
  listByOwner: SessionStore['listByOwner'] = (...a) =>
    this.#guard(() => this.inner.listByOwner(...a));
  list: SessionStore['list'] = (policy) => {
    if (this.failing) throw this.#fault();
    return this.inner.list(policy);
  };
  close: SessionStore['close'] = () => this.inner.close();
}
