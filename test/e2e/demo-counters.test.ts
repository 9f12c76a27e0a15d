import { afterEach, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from '../../examples/demo/server.js';
import { callRequest, postHeaders, rawInitialize, rawPost } from '../support/harness.js';

let demo: DemoServer | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

describe('demo server counters', () => {
  it('shows the manager counters and stored initialize bytes in /healthz', async () => {
    demo = await startDemoServer({ port: 0, log: null });
    const id = await rawInitialize(demo.mcpUrl);
    expect(
      (await rawPost(demo.mcpUrl, 'never-seen', callRequest('echo', { text: 'x' }))).status,
    ).toBe(404);
    const refused = await fetch(demo.mcpUrl, { method: 'PUT', headers: postHeaders() });
    expect(refused.status).toBe(405);
    await refused.text();
    await demo.sessions.end(id, 'closed');
    await demo.sessions.create({ init: { method: 'initialize' } });
    const health = await fetch(`${demo.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      live: 1,
      initBytes: '{"method":"initialize"}'.length,
      counters: {
        created: 2,
        ended: { closed: 1, idle: 0, deleted: 0, lifetime: 0, evicted: 0, shutdown: 0 },
        rejected: { capacity: 0, ownerQuota: 0, rateLimited: 0, badInput: 1 },
        notFound: 1,
        expired: 0,
        restored: 0,
        storeFailures: 0,
      },
    });
  });
});
