import { describe, expect, it } from 'vitest';
import type { RelayEnvelope } from '../../src/core/relay.js';
import { DEFAULT_PREFIX, RedisRelay } from '../../src/stores/redis/index.js';
import { redisClients } from '../support/redis.js';
import { waitFor } from '../support/wait.js';
import { connections, inbox, type Library, relayOn, spyLogger, toStream } from './relay-support.js';

const { node, io, side, scratchPrefix } = await redisClients();

describe.each<Library>(['node-redis', 'ioredis'])('RedisRelay messaging (%s)', (library) => {
  async function fleet(size: number, prefix = scratchPrefix('relay')) {
    const members = [];
    for (let i = 0; i < size; i++) {
      const relay = await relayOn(library, prefix);
      const box = inbox();
      await relay.listen(box.listener);
      members.push({ relay, ...box });
    }
    return members;
  }

  it('sends to the addressed replica only', async () => {
    const [a, b, c] = await fleet(3);
    const envelope = toStream('session-1');
    expect(await a!.relay.send(b!.relay.replicaId, envelope)).toBe(true);
    expect(await b!.until(1)).toEqual([envelope]);

    // Published after the first on the same connection: C sees it first if it saw both.
    const marker: RelayEnvelope = { type: 'ended', sessionId: 'marker' };
    expect(await a!.relay.send(c!.relay.replicaId, marker)).toBe(true);
    expect(await c!.until(1)).toEqual([marker]);
    await a!.relay.send(a!.relay.replicaId, marker);
    expect(await a!.until(1)).toEqual([marker]);
    expect(b!.received).toEqual([envelope]);
  });

  it('carries every kind of envelope intact', async () => {
    const [a, b] = await fleet(2);
    const envelopes: RelayEnvelope[] = [
      toStream('s1', 1),
      {
        type: 'to-server',
        sessionId: 's2',
        messages: [{ jsonrpc: '2.0', id: 7, result: { roots: [] } }],
        authInfo: { clientId: 'c', scopes: ['x'], token: 't' },
      },
      { type: 'to-server', sessionId: 's3', messages: [] },
      { type: 'ended', sessionId: 's4' },
    ];
    for (const envelope of envelopes) await a!.relay.send(b!.relay.replicaId, envelope);
    expect(await b!.until(envelopes.length)).toEqual(envelopes);
  });

  it('broadcasts to every other replica and not to the sender', async () => {
    const [a, b, c] = await fleet(3);
    const envelope: RelayEnvelope = { type: 'ended', sessionId: 'gone' };
    await a!.relay.broadcast(envelope);
    expect(await b!.until(1)).toEqual([envelope]);
    expect(await c!.until(1)).toEqual([envelope]);
    // The sender's own address, after the broadcast on the same connection.
    const marker = toStream('marker');
    await a!.relay.send(a!.relay.replicaId, marker);
    expect(await a!.until(1)).toEqual([marker]);
  });

  it('answers false for a replica that is gone', async () => {
    const [a, b] = await fleet(2);
    expect(await a!.relay.send('nobody-here', toStream('s'))).toBe(false);
    await b!.relay.close();
    expect(await a!.relay.send(b!.relay.replicaId, toStream('s'))).toBe(false);
  });

  it('drops messages that are no valid envelope, with one warning each', async () => {
    const prefix = scratchPrefix('relay-bad');
    const logger = spyLogger();
    const relay = await relayOn(library, prefix, { logger, replicaId: 'r1' });
    const box = inbox();
    await relay.listen(box.listener);
    const channel = `${prefix}relay:r:r1`;
    const bad = [
      'not json',
      '42',
      'null',
      JSON.stringify({ from: 'x' }),
      JSON.stringify({ from: '', envelope: { type: 'ended', sessionId: 's' } }),
      JSON.stringify({ from: 'x', envelope: { type: 'nope', sessionId: 's' } }),
      JSON.stringify({ from: 'x', envelope: { type: 'ended', sessionId: '' } }),
      JSON.stringify({ from: 'x', envelope: { type: 'to-stream', sessionId: 's' } }),
      JSON.stringify({ from: 'x', envelope: { type: 'to-server', sessionId: 's', messages: {} } }),
    ];
    for (const text of bad) await side.publish(channel, text);
    await side.publish(`${prefix}relay:all`, 'also not json');
    const good = toStream('s');
    await side.publish(channel, JSON.stringify({ from: 'x', envelope: good }));
    expect(await box.until(1)).toEqual([good]);
    expect(logger.warn).toHaveBeenCalledTimes(bad.length + 1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('not a valid envelope'),
      expect.objectContaining({ channel }),
    );
  });

  it('keeps delivering to the other listeners when one throws, and logs it', async () => {
    const prefix = scratchPrefix('relay-throw');
    const logger = spyLogger();
    const relay = await relayOn(library, prefix, { logger });
    const sender = await relayOn(library, prefix);
    const first = inbox();
    const last = inbox();
    await relay.listen(first.listener);
    await relay.listen(() => {
      throw new Error('listener bug');
    });
    await relay.listen(async () => {
      throw new Error('async listener bug');
    });
    await relay.listen(last.listener);
    await sender.send(relay.replicaId, toStream('s', 1));
    await sender.send(relay.replicaId, toStream('s', 2));
    expect(await last.until(2)).toEqual([toStream('s', 1), toStream('s', 2)]);
    expect(first.received).toEqual([toStream('s', 1), toStream('s', 2)]);
    await waitFor(() => logger.error.mock.calls.length === 4, 'four listener errors logged');
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('listener'),
      expect.objectContaining({ error: 'listener bug' }),
    );
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('listener'),
      expect.objectContaining({ error: 'async listener bug' }),
    );
  });

  it('stops delivering to a listener once removed', async () => {
    const [a, b] = await fleet(2);
    const other = inbox();
    const remove = await b!.relay.listen(other.listener);
    remove();
    await a!.relay.send(b!.relay.replicaId, toStream('s'));
    await b!.until(1);
    expect(other.received).toEqual([]);
  });

  it('holds one subscription per replica, whatever the number of sessions and listeners', async () => {
    const prefix = scratchPrefix('relay-subs');
    const members = await fleet(3, prefix);
    for (const member of members) {
      await member.relay.listen(() => {});
      await member.relay.listen(() => {});
    }
    const [a, b, c] = members;
    for (let n = 0; n < 60; n++) {
      await a!.relay.send(b!.relay.replicaId, toStream(`session-${n}`, n));
      await b!.relay.send(c!.relay.replicaId, toStream(`session-${n}`, n));
      await c!.relay.broadcast({ type: 'ended', sessionId: `session-${n}` });
    }
    await b!.until(120);
    await c!.until(60);
    await a!.until(60);

    const channels = ((await side.call('PUBSUB', 'CHANNELS', `${prefix}*`)) as string[]).sort();
    const own = members.map((m) => `${prefix}relay:r:${m.relay.replicaId}`);
    expect(channels).toEqual([...own, `${prefix}relay:all`].sort());
    const numsub = (await side.call('PUBSUB', 'NUMSUB', ...own, `${prefix}relay:all`)) as unknown[];
    expect(numsub.map(String)).toEqual([
      ...own.flatMap((channel) => [channel, '1']),
      `${prefix}relay:all`,
      '3',
    ]);
  });

  it('close() unsubscribes, refuses new listeners and holds, and leaves the clients open', async () => {
    const prefix = scratchPrefix('relay-close');
    const { client, subscriber } = await connections(library);
    const relay = new RedisRelay({ client, subscriber, prefix, logger: spyLogger() });
    await relay.listen(() => {});
    await relay.close();
    await relay.close();
    const numsub = (await side.call(
      'PUBSUB',
      'NUMSUB',
      `${prefix}relay:r:${relay.replicaId}`,
    )) as unknown[];
    expect(String(numsub[1])).toBe('0');
    await expect(relay.listen(() => {})).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(relay.holdStream('s')).rejects.toMatchObject({ code: 'CLOSED' });
    const other = new RedisRelay({ client, subscriber, prefix, logger: spyLogger() });
    expect(await other.send(relay.replicaId, toStream('s'))).toBe(false);
    expect(await other.streamHolder('s')).toBeUndefined();
    await other.close();
  });

  it('refuses to send to a malformed replica ID', async () => {
    const relay = await relayOn(library, scratchPrefix('relay-to'));
    for (const to of ['', 'has space', 'x'.repeat(33), 'a:b']) {
      await expect(relay.send(to, toStream('s'))).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
  });

  it('rejects with STORE_UNAVAILABLE when Redis cannot be reached', async () => {
    const prefix = scratchPrefix('relay-down');
    const { client, subscriber } = await connections(library);
    const relay = new RedisRelay({
      client,
      subscriber,
      prefix,
      logger: spyLogger(),
      commandTimeoutMs: 500,
    });
    for (const connection of [client, subscriber]) {
      if ('destroy' in connection) connection.destroy();
      else connection.disconnect();
    }
    await expect(relay.send('r2', toStream('s'))).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(relay.broadcast(toStream('s'))).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(relay.holdStream('s')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(relay.streamHolder('s')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(relay.listen(() => {})).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await relay.close();
  });
});

describe('RedisRelay options', () => {
  async function subscriberOf(library: Library) {
    return (await connections(library)).subscriber;
  }

  it('defaults: the store prefix and a random 12-character replica ID', async () => {
    const subscriber = await subscriberOf('ioredis');
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const relay = new RedisRelay({ client: io, subscriber });
      expect(relay.replicaId).toMatch(/^[A-Za-z0-9_-]{12}$/);
      ids.add(relay.replicaId);
    }
    expect(ids.size).toBe(20);
    expect(DEFAULT_PREFIX).toBe('mcps:{default}:');
  });

  it('names the field, the value and the accepted range of a bad option', async () => {
    const ioSubscriber = await subscriberOf('ioredis');
    const nodeSubscriber = await subscriberOf('node-redis');
    const base = { client: io, subscriber: ioSubscriber };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ client: undefined }, /`client`.*node-redis.*ioredis/],
      [{ client: {} }, /`client`/],
      [{ subscriber: undefined }, /`subscriber`.*duplicate/],
      [{ subscriber: { call() {}, status: 'ready' } }, /`subscriber`/],
      [{ subscriber: io }, /`subscriber`.*own/],
      [{ subscriber: nodeSubscriber }, /`subscriber`.*node-redis client beside an ioredis/],
      [{ client: node }, /`subscriber`.*ioredis instance beside a node-redis/],
      [{ prefix: '' }, /`prefix`.*1 to 256/],
      [{ replicaId: '' }, /`replicaId`.*1 to 32.*got ""/],
      [{ replicaId: 'a b' }, /`replicaId`.*got "a b"/],
      [{ replicaId: 'x'.repeat(33) }, /`replicaId`/],
      [{ holdTtlMs: 29 }, /`holdTtlMs`.*30 to 3600000.*got 29/],
      [{ holdTtlMs: 1.5 }, /`holdTtlMs`/],
      [{ holdTtlMs: 3_600_001 }, /`holdTtlMs`/],
      [{ commandTimeoutMs: 0 }, /`commandTimeoutMs`.*1 to 600000/],
      [{ logger: 'console' }, /`logger`/],
      [{ url: 'redis://x' }, /Unknown RedisRelay option `url`/],
    ];
    for (const [extra, message] of cases) {
      expect(() => new RedisRelay({ ...base, ...extra } as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringMatching(message),
        }),
      );
    }
    expect(() => new RedisRelay(undefined as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('accepts a replica ID, a tagged or untagged prefix, and either library', async () => {
    const nodeSubscriber = await subscriberOf('node-redis');
    const ioSubscriber = await subscriberOf('ioredis');
    const relay = new RedisRelay({
      client: node,
      subscriber: nodeSubscriber,
      replicaId: 'replica_A-1',
      prefix: 'app:',
      holdTtlMs: 30,
      commandTimeoutMs: 1,
      logger: {},
    });
    expect(relay.replicaId).toBe('replica_A-1');
    expect(new RedisRelay({ client: io, subscriber: ioSubscriber }).replicaId).toHaveLength(12);
  });
});
