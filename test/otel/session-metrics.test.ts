import {
  type Attributes,
  type BatchObservableCallback,
  type Meter,
  type MetricOptions,
  metrics,
  type Observable,
  ValueType,
} from '@opentelemetry/api';
import { describe, expect, it, onTestFinished } from 'vitest';
import { SessionManager, type SessionManagerOptions } from '../../src/index.js';
import { registerSessionMetrics } from '../../src/otel/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { FaultyStore } from '../support/faulty-store.js';

interface Instrument extends Observable {
  readonly name: string;
  readonly kind: string;
  readonly options: MetricOptions | undefined;
}

interface Point {
  readonly name: string;
  readonly value: number;
  readonly attributes: Attributes | undefined;
}

/**
 * A Meter that records the instruments made on it and, on `collect()`, runs the batch
 * callbacks registered on it as an SDK would at a collection.
 */
class RecordingMeter implements Meter {
  readonly instruments: Instrument[] = [];
  readonly callbacks: { callback: BatchObservableCallback; observables: Observable[] }[] = [];

  #observable(kind: string, name: string, options?: MetricOptions): Instrument {
    const instrument: Instrument = {
      name,
      kind,
      options,
      addCallback: () => {
        throw new Error('only batch callbacks are expected');
      },
      removeCallback: () => {},
    };
    this.instruments.push(instrument);
    return instrument;
  }

  createObservableCounter(name: string, options?: MetricOptions) {
    return this.#observable('counter', name, options);
  }
  createObservableUpDownCounter(name: string, options?: MetricOptions) {
    return this.#observable('up-down-counter', name, options);
  }
  createObservableGauge(name: string, options?: MetricOptions) {
    return this.#observable('gauge', name, options);
  }
  createGauge(): never {
    throw new Error('no synchronous instruments are expected');
  }
  createHistogram(): never {
    throw new Error('no synchronous instruments are expected');
  }
  createCounter(): never {
    throw new Error('no synchronous instruments are expected');
  }
  createUpDownCounter(): never {
    throw new Error('no synchronous instruments are expected');
  }
  addBatchObservableCallback(callback: BatchObservableCallback, observables: Observable[]): void {
    this.callbacks.push({ callback, observables });
  }
  removeBatchObservableCallback(callback: BatchObservableCallback): void {
    const at = this.callbacks.findIndex((entry) => entry.callback === callback);
    if (at >= 0) this.callbacks.splice(at, 1);
  }

  /** Runs every callback once; answers the points observed. */
  async collect(): Promise<Point[]> {
    const points: Point[] = [];
    for (const { callback, observables } of this.callbacks) {
      await callback({
        observe(metric, value, attributes) {
          if (!observables.includes(metric)) throw new Error('observed an unregistered metric');
          points.push({ name: (metric as Instrument).name, value, attributes });
        },
      });
    }
    return points;
  }
}

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const sessions = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  onTestFinished(() => sessions.close());
  return { clock, sessions };
}

const value = (points: Point[], name: string, attributes: Attributes = {}) =>
  points.find(
    (p) =>
      p.name === name && Object.entries(attributes).every(([key, v]) => p.attributes?.[key] === v),
  )?.value;

describe('registerSessionMetrics', () => {
  it('registers observable instruments with semantic names, units and integer values', () => {
    const { sessions } = setup();
    const meter = new RecordingMeter();
    registerSessionMetrics(sessions, { meter });
    expect(meter.instruments.map((i) => [i.name, i.kind, i.options?.unit])).toEqual([
      ['mcp_sessions.created', 'counter', '{session}'],
      ['mcp_sessions.ended', 'counter', '{session}'],
      ['mcp_sessions.rejected', 'counter', '{request}'],
      ['mcp_sessions.lookup.misses', 'counter', '{request}'],
      ['mcp_sessions.restored', 'counter', '{session}'],
      ['mcp_sessions.store_failures', 'counter', '{error}'],
      ['mcp_sessions.active', 'up-down-counter', '{session}'],
      ['mcp_sessions.stored_init.size', 'up-down-counter', 'By'],
    ]);
    for (const instrument of meter.instruments) {
      expect(instrument.options?.valueType).toBe(ValueType.INT);
      expect(instrument.options?.description).toMatch(/\.$/);
    }
    expect(meter.callbacks).toHaveLength(1);
    expect(meter.callbacks[0]!.observables).toEqual(meter.instruments);
  });

  it('observes the counters at each collection, with their attributes', async () => {
    const { sessions, clock } = setup({ maxSessions: 2 });
    const meter = new RecordingMeter();
    registerSessionMetrics(sessions, { meter, attributes: { 'service.instance.id': 'r1' } });
    expect(value(await meter.collect(), 'mcp_sessions.created')).toBe(0);
    const a = await sessions.create({ init: { method: 'initialize' } });
    await sessions.create();
    await expect(sessions.create()).rejects.toMatchObject({ code: 'CAPACITY' });
    await sessions.end(a.id, 'deleted');
    await sessions.resolve(a.id);
    await sessions.resolve('never-seen');
    sessions.noteAdapterEvent('badInput');
    sessions.noteAdapterEvent('restored');
    clock.advance(1000);
    await sessions.sweep();
    const points = await meter.collect();
    expect(value(points, 'mcp_sessions.created')).toBe(2);
    expect(value(points, 'mcp_sessions.ended', { reason: 'deleted' })).toBe(1);
    expect(value(points, 'mcp_sessions.ended', { reason: 'idle' })).toBe(1);
    expect(value(points, 'mcp_sessions.ended', { reason: 'evicted' })).toBe(0);
    expect(value(points, 'mcp_sessions.rejected', { cause: 'capacity' })).toBe(1);
    expect(value(points, 'mcp_sessions.rejected', { cause: 'bad_input' })).toBe(1);
    expect(value(points, 'mcp_sessions.rejected', { cause: 'owner_quota' })).toBe(0);
    expect(value(points, 'mcp_sessions.rejected', { cause: 'rate_limited' })).toBe(0);
    expect(value(points, 'mcp_sessions.lookup.misses', { result: 'not_found' })).toBe(1);
    expect(value(points, 'mcp_sessions.lookup.misses', { result: 'expired' })).toBe(1);
    expect(value(points, 'mcp_sessions.restored')).toBe(1);
    expect(value(points, 'mcp_sessions.store_failures')).toBe(0);
    expect(value(points, 'mcp_sessions.active')).toBe(0);
    expect(value(points, 'mcp_sessions.stored_init.size')).toBe(0);
    expect(points.every((p) => p.attributes?.['service.instance.id'] === 'r1')).toBe(true);
    expect(points).toHaveLength(1 + 6 + 4 + 2 + 1 + 1 + 1 + 1);
  });

  it('reports live sessions and stored initialize bytes; skips them while the store is down', async () => {
    const store = new FaultyStore();
    const { sessions } = setup({ store });
    const meter = new RecordingMeter();
    registerSessionMetrics(sessions, { meter });
    await sessions.create({ init: { method: 'initialize' } });
    let points = await meter.collect();
    expect(value(points, 'mcp_sessions.active')).toBe(1);
    expect(value(points, 'mcp_sessions.stored_init.size')).toBe('{"method":"initialize"}'.length);
    store.failing = true;
    points = await meter.collect();
    expect(value(points, 'mcp_sessions.active')).toBeUndefined();
    expect(value(points, 'mcp_sessions.store_failures')).toBe(0);
    // The failed read of the last collection shows at the next one.
    expect(value(await meter.collect(), 'mcp_sessions.store_failures')).toBe(1);
    store.failing = false;
    points = await meter.collect();
    expect(value(points, 'mcp_sessions.store_failures')).toBe(2);
    expect(value(points, 'mcp_sessions.active')).toBe(1);
  });

  it('stops observing once unregistered', async () => {
    const { sessions } = setup();
    const meter = new RecordingMeter();
    const unregister = registerSessionMetrics(sessions, { meter });
    unregister();
    unregister();
    expect(meter.callbacks).toHaveLength(0);
    expect(await meter.collect()).toEqual([]);
  });

  it('uses the global meter provider when no meter is given', async () => {
    const meter = new RecordingMeter();
    const names: string[] = [];
    metrics.setGlobalMeterProvider({
      getMeter: (name) => {
        names.push(name);
        return meter;
      },
    });
    onTestFinished(() => metrics.disable());
    const { sessions } = setup();
    registerSessionMetrics(sessions);
    expect(names).toEqual(['mcp-sessions']);
    await sessions.create();
    expect(value(await meter.collect(), 'mcp_sessions.created')).toBe(1);
  });

  it('refuses a meter or attributes of the wrong shape', () => {
    const { sessions } = setup();
    for (const options of [{ meter: {} }, { meter: 'm' }, { attributes: 'a' }]) {
      expect(() => registerSessionMetrics(sessions, options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });
});
