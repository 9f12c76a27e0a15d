import { describe, expect, it } from 'vitest';
import { type SessionManager, type SessionUpdater, systemClock } from '../../src/index.js';
import { RedisStore } from '../../src/stores/redis/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { type Harness, startHarness, toolText } from '../support/harness.js';
import { redisClients } from '../support/redis.js';

const { node, io, scratchPrefix } = await redisClients();

const increment: SessionUpdater = (data) => ({
  count: ((data as { count?: number } | undefined)?.count ?? 0) + 1,
});

/**
 * A replica of the demo server over `prefix` whose sessions also have a `shared-counter` tool
 * keeping its count in the session's data, as the README shows.
 */
async function replica(
  prefix: string,
  clock: ManualClock,
  client: typeof node | typeof io,
): Promise<Harness> {
  let sessions: SessionManager | undefined;
  const harness = await startHarness({
    clock,
    store: new RedisStore({ client, prefix }),
    extend: (server, session) => {
      server.registerTool(
        'shared-counter',
        { description: 'Counts calls in the session data.' },
        async (extra) => {
          const updated = await sessions!.update(extra.sessionId ?? session.id, increment, {
            owner: session.owner ?? null,
          });
          const { count } = updated.data as { count: number };
          return { content: [{ type: 'text', text: String(count) }] };
        },
      );
    },
  });
  sessions = harness.sessions;
  return harness;
}

describe('session data over two replicas sharing one Redis (SDK clients, 127.0.0.1)', () => {
  it('a count kept with update follows the session; one kept in the server object does not', async () => {
    const prefix = scratchPrefix('e2e-data');
    const clock = new ManualClock(systemClock.now());
    const a = await replica(prefix, clock, node);
    const b = await replica(prefix, clock, io);
    const onA = await a.connect();
    const id = onA.transport.sessionId!;
    const onB = await b.connect(id);
    const calls = [onA, onB, onA, onB, onB, onA];
    const shared: (string | undefined)[] = [];
    for (const { client } of calls) shared.push(await toolText(client, 'shared-counter'));
    expect(shared).toEqual(['1', '2', '3', '4', '5', '6']);
    const local: (string | undefined)[] = [];
    for (const { client } of [onA, onB, onA, onB]) local.push(await toolText(client, 'counter'));
    expect(local).toEqual(['1', '1', '2', '2']);
    const seen = await b.sessions.resolve(id);
    expect(seen.status === 'active' && seen.session).toMatchObject({
      data: { count: 6 },
      version: 7,
    });
  });
});
