import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { startHarness, toolText } from '../support/harness.js';
import { clusterClients, masterOf } from './cluster-support.js';

const { node, io, side, scratchPrefixPerMaster } = await clusterClients();

describe('Streamable HTTP end to end over RedisStore on a cluster (SDK client, 127.0.0.1)', () => {
  it('serves a session on one handler and restores it on another, on every master', async () => {
    for (const prefix of await scratchPrefixPerMaster('e2e')) {
      const clock = new ManualClock(systemClock.now());
      const a = await startHarness({ clock, store: new RedisStore({ client: node, prefix }) });
      const b = await startHarness({ clock, store: new RedisStore({ client: io, prefix }) });
      const first = await a.connect();
      const id = first.transport.sessionId!;
      expect(await toolText(first.client, 'counter')).toBe('1');
      expect(await toolText(first.client, 'echo', { text: 'on a' })).toBe('on a');
      expect(await side.exists(`${prefix}s:${id}`)).toBe(1);
      expect(await masterOf(side, `${prefix}s:${id}`)).toBe(await masterOf(side, prefix));

      const moved = await b.connect(id);
      expect(await toolText(moved.client, 'echo', { text: 'on b' })).toBe('on b');
      expect(b.demo.handler.size).toBe(1);
      const resolved = await b.sessions.resolve(id);
      expect(resolved.status === 'active' && resolved.session.kind).toBe('streamable-http');

      await b.sessions.end(id);
      expect(await side.exists(`${prefix}s:${id}`)).toBe(0);
      expect((await a.sessions.resolve(id)).status).toBe('ended');
      await Promise.all([a.close(), b.close()]);
    }
  });
});
