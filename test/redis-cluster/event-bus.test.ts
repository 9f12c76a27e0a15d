import { describe, expect, it, onTestFinished } from 'vitest';
import { RedisServerEventBus, type ServerEventLike } from '../../src/stores/redis/index.js';
import { spyLogger } from '../redis/relay-support.js';
import { waitFor } from '../support/wait.js';
import { type ClusterLibrary, clusterClients, clusterConnections } from './cluster-support.js';

const { scratchPrefixPerMaster } = await clusterClients();

const TOOLS: ServerEventLike = { kind: 'tools_list_changed' };
const UPDATED: ServerEventLike = { kind: 'resource_updated', uri: 'file:///a.txt' };

/** A bus on cluster connections of its own (a replica), closed when the test finishes. */
async function busOn(library: ClusterLibrary, prefix: string) {
  const { client, subscriber } = await clusterConnections(library);
  const logger = spyLogger();
  const bus = new RedisServerEventBus({ client, subscriber, prefix, logger });
  onTestFinished(() => bus.close());
  const received: ServerEventLike[] = [];
  bus.subscribe((event) => {
    received.push(event);
  });
  await bus.ready();
  const until = (count: number) =>
    waitFor(() => received.length >= count, `${count} events`).then(() => received);
  return { bus, logger, received, until };
}

describe.each<[ClusterLibrary, ClusterLibrary]>([
  ['node-redis', 'node-redis'],
  ['ioredis', 'ioredis'],
  ['node-redis', 'ioredis'],
])('RedisServerEventBus on a cluster (%s and %s)', (first, second) => {
  it('delivers across two buses, on prefixes of every master', async () => {
    const label = `bus-${first}-${second}`;
    for (const prefix of await scratchPrefixPerMaster(label)) {
      const a = await busOn(first, prefix);
      const b = await busOn(second, prefix);
      a.bus.publish(TOOLS);
      expect(a.received).toEqual([TOOLS]);
      expect(await b.until(1)).toEqual([TOOLS]);
      b.bus.publish(UPDATED);
      expect(await a.until(2)).toEqual([TOOLS, UPDATED]);
      expect(b.received).toEqual([TOOLS, UPDATED]);
      expect(a.logger.error).not.toHaveBeenCalled();
      expect(b.logger.error).not.toHaveBeenCalled();
    }
  });
});
