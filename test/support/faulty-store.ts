import { MemoryStore, SessionError, type SessionStore } from '../../src/index.js';

/**
 * A fault injector around a real store: while `failing` is true, every call rejects with
 * `SessionError('STORE_UNAVAILABLE')` without reaching the inner store.
 */
export class FaultyStore implements SessionStore {
  failing = false;
  readonly inner: SessionStore;

  constructor(inner: SessionStore = new MemoryStore()) {
    this.inner = inner;
  }

  get shared(): boolean {
    return this.inner.shared;
  }

  #guard<T>(call: () => Promise<T>): Promise<T> {
    if (this.failing) {
      return Promise.reject(new SessionError('STORE_UNAVAILABLE', 'injected store outage'));
    }
    return call();
  }

  create: SessionStore['create'] = (...a) => this.#guard(() => this.inner.create(...a));
  get: SessionStore['get'] = (...a) => this.#guard(() => this.inner.get(...a));
  touch: SessionStore['touch'] = (...a) => this.#guard(() => this.inner.touch(...a));
  end: SessionStore['end'] = (...a) => this.#guard(() => this.inner.end(...a));
  claimExpired: SessionStore['claimExpired'] = (...a) =>
    this.#guard(() => this.inner.claimExpired(...a));
  oldest: SessionStore['oldest'] = (...a) => this.#guard(() => this.inner.oldest(...a));
  count: SessionStore['count'] = (...a) => this.#guard(() => this.inner.count(...a));
  list: SessionStore['list'] = (policy) => {
    if (this.failing) throw new SessionError('STORE_UNAVAILABLE', 'injected store outage');
    return this.inner.list(policy);
  };
  close: SessionStore['close'] = () => this.inner.close();
}
