import { describe, expect, it, onTestFinished } from 'vitest';
import { StreamableFleet } from '../../src/adapters/streamable-http/fleet.js';
import { SessionManager } from '../../src/index.js';
import { LoopbackBus } from '../support/loopback-relay.js';

function fleetOn(bus: LoopbackBus, name: string): StreamableFleet {
  const sessions = new SessionManager({ autoStart: false });
  const fleet = new StreamableFleet({
    relay: bus.relay(name),
    sessions,
    kind: 'streamable-http',
    logger: {},
    find: () => undefined,
    dispose: () => {},
  });
  onTestFinished(async () => {
    await fleet.close();
    await sessions.close();
  });
  return fleet;
}

const answer = (id: unknown) => ({ jsonrpc: '2.0', id, result: {} });

describe('StreamableFleet.split', () => {
  it('leaves bodies with a request, or with no tagged answer, to the transport as they are', () => {
    const fleet = fleetOn(new LoopbackBus(), 'A');
    expect(fleet.split({ jsonrpc: '2.0', id: 'B.n.1', method: 'ping' })).toBeUndefined();
    expect(fleet.split([answer('B.n.1'), { jsonrpc: '2.0', method: 'x' }])).toBeUndefined();
    expect(fleet.split(answer(1))).toBeUndefined();
    expect(fleet.split([])).toBeUndefined();
  });

  it("keeps this replica's answers, untagged, and groups the others' by replica", () => {
    const fleet = fleetOn(new LoopbackBus(), 'A');
    const split = fleet.split([answer('A.n.1'), answer('B.s.x'), answer(7), answer('B.n.2')]);
    expect(split?.here).toEqual([answer(1), answer(7)]);
    expect([...(split?.away ?? [])]).toEqual([['B', [answer('B.s.x'), answer('B.n.2')]]]);
  });

  it('forwards answers with relayAnswers, leaving only those for this replica in the body', async () => {
    const bus = new LoopbackBus();
    const fleet = fleetOn(bus, 'A');
    await fleetOn(bus, 'B').ready();
    const options: { parsedBody?: unknown } = { parsedBody: [answer('A.n.1'), answer('B.n.2')] };
    expect(await fleet.relayAnswers('s1', options)).toBe(false);
    expect(options.parsedBody).toEqual([answer(1)]);
    expect(bus.log).toEqual([
      { to: 'B', envelope: { type: 'to-server', sessionId: 's1', messages: [answer('B.n.2')] } },
    ]);
    const single: { parsedBody?: unknown } = { parsedBody: answer('Z.n.3') };
    expect(await fleet.relayAnswers('s1', single)).toBe(true);
    expect(bus.log).toHaveLength(1);
  });
});
