import { randomUUID } from 'node:crypto';
import { Cluster, type ClusterOptions, Redis } from 'ioredis';
import { createCluster } from 'redis';
import { afterAll, expect, inject, onTestFinished } from 'vitest';

/** Seed URLs of the three masters the `redis-cluster` project started. */
export const CLUSTER_URLS = inject('redisClusterUrls');

/** Which cluster client library a test runs on. */
export type ClusterLibrary = 'node-redis' | 'ioredis';

function seeds() {
  return CLUSTER_URLS.map((url) => {
    const { hostname, port } = new URL(url);
    return { host: hostname, port: Number(port) };
  });
}

/** A connected ioredis `Cluster` on the test cluster (fails at once when it is unreachable). */
export async function ioCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const cluster = new Cluster(seeds(), {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    ...options,
  });
  cluster.on('error', () => {});
  await cluster.connect();
  return cluster;
}

/**
 * A connected single-node ioredis client on `REDIS_URL` (the `redis` project's Redis, checked by
 * the preflight), for tests that pair it with a cluster.
 */
export async function singleNode(): Promise<Redis> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A connected node-redis cluster (`createCluster()`) on the test cluster. */
export async function nodeCluster() {
  const cluster = createCluster({
    rootNodes: CLUSTER_URLS.map((url) => ({ url, socket: { connectTimeout: 2000 } })),
  });
  cluster.on('error', () => {});
  await cluster.connect();
  return cluster;
}

/** A node-redis cluster, as the store takes it. */
export type NodeCluster = Awaited<ReturnType<typeof nodeCluster>>;

/**
 * A command client and a subscriber of `library` (the ioredis one made with
 * `shardedSubscribers: true`), closed when the current test finishes.
 */
export async function clusterConnections(library: ClusterLibrary) {
  if (library === 'node-redis') {
    const client = await nodeCluster();
    const subscriber = await nodeCluster();
    onTestFinished(async () => {
      await Promise.all([client.close().catch(() => {}), subscriber.close().catch(() => {})]);
    });
    return { client, subscriber };
  }
  const client = await ioCluster();
  const subscriber = await ioCluster({ shardedSubscribers: true });
  onTestFinished(() => {
    client.disconnect();
    subscriber.disconnect();
  });
  return { client, subscriber };
}

/** The clients a cluster test file shares, closed after its last test. */
export interface ClusterClients {
  node: NodeCluster;
  io: Cluster;
  /** An ioredis cluster of its own, to inspect and delete keys beside the stores. */
  side: Cluster;
  /** A fresh prefix whose keys are deleted (and checked gone) when the current test finishes. */
  scratchPrefix(label: string): string;
  /** One {@link ClusterClients.scratchPrefix} per master (see {@link prefixPerMaster}). */
  scratchPrefixPerMaster(label: string): Promise<string[]>;
}

/** Connects the shared clients; call it at the top level of a test file. */
export async function clusterClients(): Promise<ClusterClients> {
  const [node, io, side] = await Promise.all([nodeCluster(), ioCluster(), ioCluster()]);
  afterAll(async () => {
    await node.close();
    io.disconnect();
    side.disconnect();
  });
  const cleanUp = (prefix: string): string => {
    onTestFinished(async () => {
      await deleteClusterKeys(side, prefix);
      expect(await clusterKeysUnder(side, prefix)).toEqual([]);
    });
    return prefix;
  };
  const scratchPrefix = (label: string) => cleanUp(clusterPrefix(label));
  const scratchPrefixPerMaster = async (label: string) =>
    (await prefixPerMaster(side, label)).map(cleanUp);
  return { node, io, side, scratchPrefix, scratchPrefixPerMaster };
}

/** A prefix no other test run uses, with its own hash tag. */
export function clusterPrefix(label: string): string {
  return `mcps-cl:{${label}-${randomUUID()}}:`;
}

/** Every key under `prefix`, whichever master holds it (SCAN on each). */
export async function clusterKeysUnder(cluster: Cluster, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/** Deletes every key under `prefix` (all in one slot, so one `DEL` per batch). */
export async function deleteClusterKeys(cluster: Cluster, prefix: string): Promise<void> {
  const keys = await clusterKeysUnder(cluster, prefix);
  for (let at = 0; at < keys.length; at += 500) await cluster.del(...keys.slice(at, at + 500));
}

/** The `host:port` of the master serving `key`'s slot, as `CLUSTER SLOTS` tells it. */
export async function masterOf(cluster: Cluster, key: string): Promise<string> {
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await cluster.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const range = ranges.find(([from, to]) => slot >= from && slot <= to);
  if (range === undefined) throw new Error(`No master serves slot ${slot}`);
  return `${range[2][0]}:${range[2][1]}`;
}

/** The `host:port` of every master of the test cluster. */
export function masterAddresses(): string[] {
  return CLUSTER_URLS.map((url) => new URL(url).host);
}

/**
 * One fresh prefix per master, labelled `label`: hash tags drawn until every master serves one,
 * so a test over them exercises every node.
 */
export async function prefixPerMaster(cluster: Cluster, label: string): Promise<string[]> {
  const byMaster = new Map<string, string>();
  for (let tries = 0; byMaster.size < CLUSTER_URLS.length && tries < 200; tries++) {
    const prefix = clusterPrefix(label);
    const master = await masterOf(cluster, prefix);
    if (!byMaster.has(master)) byMaster.set(master, prefix);
  }
  expect([...byMaster.keys()].sort()).toEqual(masterAddresses().sort());
  return [...byMaster.values()];
}
