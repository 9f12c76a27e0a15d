import type { Cluster } from 'ioredis';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RedisRelay, type RedisRelayOptions } from '../../src/stores/redis/index.js';
import { inbox, spyLogger, toStream } from '../redis/relay-support.js';
import {
  type ClusterLibrary,
  clusterClients,
  clusterConnections,
  ioCluster,
  masterOf,
  singleNode,
} from './cluster-support.js';

const { io, side, scratchPrefix, scratchPrefixPerMaster } = await clusterClients();

const LONG_HOLD_MS = 60_000;

/** A relay on cluster connections of its own, closed when the current test finishes. */
async function relayOn(
  library: ClusterLibrary,
  prefix: string,
  extra: Partial<Omit<RedisRelayOptions, 'client' | 'subscriber'>> = {},
): Promise<RedisRelay> {
  const { client, subscriber } = await clusterConnections(library);
  const relay = new RedisRelay({ client, subscriber, prefix, logger: spyLogger(), ...extra });
  onTestFinished(() => relay.close());
  return relay;
}

/** Relays of `libraries` on `prefix`, each listening, with its inbox. */
async function fleet(prefix: string, libraries: readonly ClusterLibrary[]) {
  const members = [];
  for (const library of libraries) {
    const relay = await relayOn(library, prefix, { holdTtlMs: LONG_HOLD_MS });
    const box = inbox();
    await relay.listen(box.listener);
    members.push({ relay, ...box });
  }
  return members;
}

/** Sharded subscribers of `channel` on the master serving it (`PUBSUB SHARDNUMSUB`). */
async function shardSubscribers(cluster: Cluster, channel: string): Promise<number> {
  const home = await masterOf(cluster, channel);
  const master = cluster
    .nodes('master')
    .find((m) => `${m.options.host}:${m.options.port}` === home)!;
  const reply = (await master.call('PUBSUB', 'SHARDNUMSUB', channel)) as unknown[];
  return Number(reply[1]);
}

describe.each<ClusterLibrary>(['node-redis', 'ioredis'])(
  'RedisRelay on a cluster (%s)',
  (library) => {
    it('delivers to the addressed replica and broadcasts, on prefixes of every master', async () => {
      for (const prefix of await scratchPrefixPerMaster(`relay-${library}`)) {
        const [a, b, c] = await fleet(prefix, [library, library, library]);
        const envelope = toStream('session-1');
        expect(await a!.relay.send(b!.relay.replicaId, envelope)).toBe(true);
        expect(await b!.until(1)).toEqual([envelope]);
        const ended = { type: 'ended' as const, sessionId: 'gone' };
        await c!.relay.broadcast(ended);
        expect(await a!.until(1)).toEqual([ended]);
        expect(await b!.until(2)).toEqual([envelope, ended]);
        expect(c!.received).toEqual([]);
        expect(await shardSubscribers(side, `${prefix}relay:all`)).toBe(3);
      }
    });

    it('answers false for a replica that is gone, true while it listens', async () => {
      const [a, b] = await fleet(scratchPrefix('relay-gone'), [library, library]);
      expect(await a!.relay.send('nobody-here', toStream('s'))).toBe(false);
      expect(await a!.relay.send(b!.relay.replicaId, toStream('s'))).toBe(true);
      await b!.relay.close();
      expect(await a!.relay.send(b!.relay.replicaId, toStream('s'))).toBe(false);
    });

    it('records, answers, renews and releases stream holders across relays', async () => {
      const prefix = scratchPrefix('relay-holds');
      const [a, b] = await fleet(prefix, [library, library]);
      await a!.relay.holdStream('s1');
      await a!.relay.holdStream('s2');
      expect(await b!.relay.streamHolder('s1')).toBe(a!.relay.replicaId);
      expect(await side.get(`${prefix}stream:s1`)).toBe(a!.relay.replicaId);
      // B takes s2 over: A's renewal leaves it alone and stops renewing it.
      await b!.relay.holdStream('s2');
      await side.pexpire(`${prefix}stream:s1`, 1000);
      await a!.relay.renewHeldStreams();
      expect(await side.pttl(`${prefix}stream:s1`)).toBeGreaterThan(LONG_HOLD_MS - 10_000);
      expect(await a!.relay.streamHolder('s2')).toBe(b!.relay.replicaId);
      await a!.relay.releaseStream('s2');
      expect(await b!.relay.streamHolder('s2')).toBe(b!.relay.replicaId);
      await a!.relay.releaseStream('s1');
      expect(await b!.relay.streamHolder('s1')).toBeUndefined();
      await b!.relay.close();
      expect(await a!.relay.streamHolder('s2')).toBeUndefined();
    });
  },
);

describe('RedisRelay on a cluster: both libraries on one prefix', () => {
  it('carries messages between a node-redis relay and an ioredis relay', async () => {
    const [a, b] = await fleet(scratchPrefix('relay-mixed'), ['node-redis', 'ioredis']);
    expect(await a!.relay.send(b!.relay.replicaId, toStream('x', 1))).toBe(true);
    expect(await b!.relay.send(a!.relay.replicaId, toStream('x', 2))).toBe(true);
    expect(await b!.until(1)).toEqual([toStream('x', 1)]);
    expect(await a!.until(1)).toEqual([toStream('x', 2)]);
  });
});

describe('RedisRelay on a cluster: what it refuses', () => {
  it('refuses an ioredis Cluster subscriber made without shardedSubscribers', async () => {
    const subscriber = await ioCluster();
    onTestFinished(() => subscriber.disconnect());
    expect(() => new RedisRelay({ client: io, subscriber })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('shardedSubscribers: true'),
      }),
    );
  });

  it('refuses a single-node subscriber beside a cluster client, and the reverse', async () => {
    const single = await singleNode();
    onTestFinished(() => single.disconnect());
    const sharded = await ioCluster({ shardedSubscribers: true });
    onTestFinished(() => sharded.disconnect());
    expect(() => new RedisRelay({ client: io, subscriber: single })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('single-node client beside a cluster'),
      }),
    );
    expect(() => new RedisRelay({ client: single, subscriber: sharded })).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTION',
        message: expect.stringContaining('cluster beside a single-node client'),
      }),
    );
  });
});
