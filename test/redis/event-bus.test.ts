import { describe, expect, it, onTestFinished } from 'vitest';
import { isSessionError } from '../../src/index.js';
import {
  RedisRelay,
  RedisServerEventBus,
  type RedisServerEventBusOptions,
  type ServerEventLike,
} from '../../src/stores/redis/index.js';
import { redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { connections, inbox, type Library, spyLogger } from './relay-support.js';

const { side, scratchPrefix } = await redisClients();

const TOOLS: ServerEventLike = { kind: 'tools_list_changed' };
const PROMPTS: ServerEventLike = { kind: 'prompts_list_changed' };
const UPDATED: ServerEventLike = {
  kind: 'resource_updated',
  uri: 'file:///a.txt',
  params: { note: 1 },
};

/** A bus on connections of its own (a replica), closed when the test finishes. */
async function busOn(
  library: Library,
  prefix: string,
  extra: Partial<Omit<RedisServerEventBusOptions, 'client' | 'subscriber' | 'prefix'>> = {},
) {
  const { client, subscriber } = await connections(library);
  const logger = spyLogger();
  const bus = new RedisServerEventBus({ client, subscriber, prefix, logger, ...extra });
  onTestFinished(() => bus.close());
  return { bus, client, subscriber, logger };
}

/** A listener recording what it receives, with a bounded wait for a count. */
function recorder() {
  const received: ServerEventLike[] = [];
  const listener = (event: ServerEventLike): void => {
    received.push(event);
  };
  const until = (count: number) =>
    waitFor(() => received.length >= count, `${count} events`).then(() => received);
  return { received, listener, until };
}

describe.each<Library>(['node-redis', 'ioredis'])('RedisServerEventBus (%s)', (library) => {
  it('delivers to every bus on the prefix, locally at once and exactly once', async () => {
    const prefix = scratchPrefix('bus');
    const a = await busOn(library, prefix);
    const b = await busOn(library, prefix);
    const onA = recorder();
    const onB = recorder();
    a.bus.subscribe(onA.listener);
    b.bus.subscribe(onB.listener);
    await Promise.all([a.bus.ready(), b.bus.ready()]);

    a.bus.publish(TOOLS);
    expect(onA.received).toEqual([TOOLS]);
    expect(await onB.until(1)).toEqual([TOOLS]);

    // B's event reaches A's subscriber after A's own, which A skipped.
    b.bus.publish(UPDATED);
    expect(await onA.until(2)).toEqual([TOOLS, UPDATED]);
    expect(onB.received).toEqual([TOOLS, UPDATED]);
    expect(a.logger.warn).not.toHaveBeenCalled();
    expect(a.logger.error).not.toHaveBeenCalled();
  });

  it('does not echo an event to the listener publishing it inside its own dispatch', async () => {
    const prefix = scratchPrefix('bus');
    const a = await busOn(library, prefix);
    const b = await busOn(library, prefix);
    const seenByPublisher: ServerEventLike[] = [];
    const publisher = (event: ServerEventLike): void => {
      seenByPublisher.push(event);
      if (event.kind === 'tools_list_changed') a.bus.publish(PROMPTS);
    };
    const peer = recorder();
    const remote = recorder();
    a.bus.subscribe(publisher);
    a.bus.subscribe(peer.listener);
    b.bus.subscribe(remote.listener);
    await Promise.all([a.bus.ready(), b.bus.ready()]);

    b.bus.publish(TOOLS);
    // The nested publish dispatches before the outer one resumes, as SDK v2's in-memory bus does.
    expect(await peer.until(2)).toEqual([PROMPTS, TOOLS]);
    expect(await remote.until(2)).toEqual([TOOLS, PROMPTS]);
    // A later event from B arrives after anything A's own PUBLISH could have echoed.
    b.bus.publish(UPDATED);
    await peer.until(3);
    expect(seenByPublisher).toEqual([TOOLS, UPDATED]);
    expect(peer.received).toEqual([PROMPTS, TOOLS, UPDATED]);
  });

  it('contains a throwing listener and drops foreign messages with a warning', async () => {
    const prefix = scratchPrefix('bus');
    const a = await busOn(library, prefix);
    const after = recorder();
    a.bus.subscribe(() => {
      throw new Error('listener broke');
    });
    a.bus.subscribe(after.listener);
    await a.bus.ready();

    a.bus.publish(TOOLS);
    expect(after.received).toEqual([TOOLS]);
    expect(a.logger.error).toHaveBeenCalledWith('A server event listener threw', {
      kind: 'tools_list_changed',
      error: 'listener broke',
    });

    await side.publish(`${prefix}bus`, '{"from":"x","event":{"kind":"nope"}}');
    await waitFor(() => a.logger.warn.mock.calls.length === 1, 'a warning');
    expect(a.logger.warn.mock.calls[0]![0]).toBe(
      'Dropped a bus message that is not a server event',
    );
    expect(after.received).toEqual([TOOLS]);
  });

  it('unsubscribes idempotently, and stops delivering after close()', async () => {
    const prefix = scratchPrefix('bus');
    const a = await busOn(library, prefix);
    const b = await busOn(library, prefix);
    const gone = recorder();
    const stays = recorder();
    const off = b.bus.subscribe(gone.listener);
    b.bus.subscribe(stays.listener);
    await b.bus.ready();
    off();
    off();
    a.bus.publish(TOOLS);
    expect(await stays.until(1)).toEqual([TOOLS]);
    expect(gone.received).toEqual([]);

    await b.bus.close();
    await b.bus.close();
    expect(await side.pubsub('NUMSUB', `${prefix}bus`)).toEqual([`${prefix}bus`, 0]);
    a.bus.publish(PROMPTS);
    b.bus.publish(PROMPTS);
    expect(stays.received).toEqual([TOOLS]);
    const late = recorder();
    b.bus.subscribe(late.listener)();
    await expect(b.bus.ready()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('RedisServerEventBus failures and input', () => {
  it('logs a failed PUBLISH and still delivers locally', async () => {
    const prefix = scratchPrefix('bus');
    const a = await busOn('node-redis', prefix);
    const local = recorder();
    a.bus.subscribe(local.listener);
    await a.bus.ready();
    await a.client.quit();

    a.bus.publish(TOOLS);
    expect(local.received).toEqual([TOOLS]);
    await waitFor(() => a.logger.error.mock.calls.length === 1, 'the logged failure');
    expect(a.logger.error.mock.calls[0]![0]).toBe('Publishing a server event on Redis failed');
    expect(a.logger.error.mock.calls[0]![1]).toMatchObject({ kind: 'tools_list_changed' });
  });

  it('refuses a malformed event with INVALID_ARGUMENT naming it', async () => {
    const a = await busOn('ioredis', scratchPrefix('bus'));
    for (const bad of [
      { kind: 'tools_changed' },
      { kind: 'resource_updated' },
      { kind: 'tools_list_changed', params: 'x' },
      null,
    ]) {
      let error: unknown;
      try {
        a.bus.publish(bad as never);
      } catch (e) {
        error = e;
      }
      expect(isSessionError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(bad));
      expect((error as Error).message).toContain('resource_updated');
    }
  });

  it('validates its options once, naming the field', async () => {
    const { client, subscriber } = await connections('node-redis');
    const io = await connections('ioredis');
    const attempts: Array<[Record<string, unknown>, string]> = [
      [{ client, subscriber, commandTimeoutMs: 0 }, 'commandTimeoutMs'],
      [{ client, subscriber, prefix: '' }, 'prefix'],
      [{ client, subscriber, extra: 1 }, 'extra'],
      [{ client, subscriber: client }, 'subscriber'],
      [{ client, subscriber: io.subscriber }, 'subscriber'],
      [{ client: {}, subscriber }, 'client'],
    ];
    for (const [options, field] of attempts) {
      let error: unknown;
      try {
        new RedisServerEventBus(options as never);
      } catch (e) {
        error = e;
      }
      expect(isSessionError(error, 'INVALID_OPTION')).toBe(true);
      expect((error as Error).message).toContain(field);
    }
  });

  it('shares one subscriber connection with the RedisRelay of the process', async () => {
    const prefix = scratchPrefix('bus');
    const { client, subscriber } = await connections('ioredis');
    const bus = new RedisServerEventBus({ client, subscriber, prefix, logger: spyLogger() });
    const relay = new RedisRelay({ client, subscriber, prefix, logger: spyLogger() });
    onTestFinished(async () => {
      await Promise.all([bus.close(), relay.close()]);
    });
    const events = recorder();
    const envelopes = inbox();
    bus.subscribe(events.listener);
    await Promise.all([bus.ready(), relay.listen(envelopes.listener)]);
    const other = await busOn('ioredis', prefix);

    other.bus.publish(TOOLS);
    await relay.send(relay.replicaId, { type: 'ended', sessionId: 's1' });
    expect(await events.until(1)).toEqual([TOOLS]);
    expect(await envelopes.until(1)).toEqual([{ type: 'ended', sessionId: 's1' }]);
  });
});
