import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/index.js';
import {
  asShared,
  callText,
  isAnswer,
  type Outgoing,
  type StreamableFleetRig,
  startStreamableFleet,
} from '../support/fleet.js';
import { rawInitialize, rawPost } from '../support/harness.js';
import { LoopbackBus } from '../support/loopback-relay.js';
import { waitFor } from '../support/wait.js';

const A = 0;
const B = 1;
const C = 2;

/** `GET` streams and the client's answers to `answers`, `tools/call` to `calls`, the rest to A. */
function route(calls: number, answers = A): (outgoing: Outgoing) => number {
  return ({ method, body }) => {
    if (method !== 'POST') return A;
    if (isAnswer(body)) return answers;
    return (body as { method?: string }).method === 'tools/call' ? calls : A;
  };
}

/** Waits until replica A holds the client's `GET` stream of session `id`. */
async function streamOnA(bus: LoopbackBus, id: string | undefined): Promise<string> {
  if (id === undefined) throw new Error('The client has no session.');
  await waitFor(() => bus.holder(id) === 'A', 'the GET stream held by replica A');
  return id;
}

describe('Streamable HTTP replicas on a relay', () => {
  it('an elicitation answered through another replica reaches the server that asked', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({ names: ['A', 'B'], bus });
    const { client } = await fleet.connect(route(B, A));
    expect(await callText(client, 'ask')).toBe('B:Ada');
    const forwarded = bus.log.filter(({ envelope }) => envelope.type === 'to-server');
    expect(forwarded.map(({ to }) => to)).toEqual(['B']);
  });

  it('a sampling request sent outside any call goes through the stream holder and its answer back', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({ names: ['A', 'B', 'C'], bus });
    const { client, transport } = await fleet.connect(route(B, C));
    await streamOnA(bus, transport.sessionId);
    expect(await callText(client, 'sample')).toBe('B:sampled');
    const kinds = bus.log.map(({ to, envelope }) => `${envelope.type}->${to}`);
    expect(kinds).toEqual(['to-stream->A', 'to-server->B']);
  });

  it('a notification sent on a replica without the GET stream reaches the client', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({ names: ['A', 'B'], bus });
    const { client, transport } = await fleet.connect(route(B));
    await streamOnA(bus, transport.sessionId);
    expect(await callText(client, 'notify')).toBe('B');
    await waitFor(() => fleet.notes.length === 1, 'the notification on the GET stream');
    expect(fleet.notes[0]).toMatchObject({ method: 'notifications/fleet', params: { from: 'B' } });
  });

  it('a tool call with the GET stream open here makes no relay call', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({ names: ['A', 'B'], bus });
    const { client, transport } = await fleet.connect(() => A);
    await streamOnA(bus, transport.sessionId);
    for (const replica of fleet.replicas) replica.relay?.resetCalls();
    expect(await callText(client, 'where')).toBe('A');
    expect(fleet.replicas.map((replica) => replica.relay?.totalCalls)).toEqual([0, 0]);
  });

  it('DELETE on one replica closes the transports of the others within a second', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({ names: ['A', 'B', 'C'], bus });
    let next = 0;
    const { client, transport } = await fleet.connect(({ method }) =>
      method === 'POST' ? next++ % 3 : A,
    );
    next = 0;
    const seen = [
      await callText(client, 'where'),
      await callText(client, 'where'),
      await callText(client, 'where'),
    ];
    expect(seen.sort()).toEqual(['A', 'B', 'C']);
    expect(fleet.replicas.map((replica) => replica.handler.size)).toEqual([1, 1, 1]);
    next = 0;
    await transport.terminateSession();
    await waitFor(
      () => fleet.replicas.every((replica) => replica.handler.size === 0),
      'every replica to let the session go',
      1000,
    );
  });

  it('an answer for a replica that is gone is dropped with 202, without a transport here', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({ names: ['A', 'B'], bus });
    const [a, b] = fleet.replicas as [
      StreamableFleetRig['replicas'][0],
      StreamableFleetRig['replicas'][0],
    ];
    const id = await rawInitialize(`http://127.0.0.1:${a.port}/mcp`);
    const answer = { jsonrpc: '2.0', id: 'Z.n.0', result: {} };
    const posted = await rawPost(`http://127.0.0.1:${b.port}/mcp`, id, answer);
    expect(posted.status).toBe(202);
    expect(b.handler.size).toBe(0);
    expect(b.relay?.calls.send).toBe(1);
    expect(await b.sessions.count()).toBe(1);
  });

  it('trim() lets idle transports go without ending their sessions; the next request restores', async () => {
    const bus = new LoopbackBus();
    const fleet = await startStreamableFleet({
      names: ['A', 'B'],
      bus,
      store: asShared(new MemoryStore()),
      handlerOptions: { localIdleMs: 60_000 },
    });
    const [a, b] = fleet.replicas;
    const { client, transport } = await fleet.connect(route(B));
    await streamOnA(bus, transport.sessionId);
    expect(await callText(client, 'where')).toBe('B');
    fleet.clock.advance(59_999);
    expect(await b?.handler.trim()).toBe(0);
    fleet.clock.advance(1);
    expect(await b?.handler.trim()).toBe(1);
    expect(await a?.handler.trim()).toBe(0);
    expect(b?.handler.size).toBe(0);
    expect(await b?.sessions.count()).toBe(1);
    expect(await callText(client, 'where')).toBe('B');
    expect(b?.servers).toBe(2);
  });

  it('trim() keeps everything with a store that is not shared', async () => {
    const fleet = await startStreamableFleet({ names: ['A'], handlerOptions: { localIdleMs: 1 } });
    const { client } = await fleet.connect(() => A);
    expect(await callText(client, 'where')).toBe('A');
    fleet.clock.advance(60_000);
    expect(await fleet.replicas[0]?.handler.trim()).toBe(0);
    expect(fleet.replicas[0]?.handler.size).toBe(1);
  });
});
