import { afterEach, describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { callRequest, rawInitialize, rawPost } from '../support/harness.js';
import { listen } from '../support/http.js';

const open: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

describe('restores', () => {
  it('are counted once per session a handler rebuilds from its stored initialize', async () => {
    const sessions = new SessionManager({ autoStart: false });
    const first = new StreamableHttpHandler({ sessions, createServer: createDemoServer });
    const second = new StreamableHttpHandler({ sessions, createServer: createDemoServer });
    open.push(
      () => first.close(),
      () => second.close(),
      () => sessions.close(),
    );
    const firstUrl = `http://127.0.0.1:${await listen(first.node)}/mcp`;
    const secondUrl = `http://127.0.0.1:${await listen(second.node)}/mcp`;
    const id = await rawInitialize(firstUrl);
    expect(sessions.counters().restored).toBe(0);
    const answered = await rawPost(secondUrl, id, callRequest('counter', {}, 3));
    expect(answered.status).toBe(200);
    expect(second.size).toBe(1);
    expect(sessions.counters().restored).toBe(1);
    expect((await rawPost(secondUrl, id, callRequest('counter', {}, 4))).status).toBe(200);
    expect(sessions.counters()).toMatchObject({ restored: 1, created: 1 });
  });
});
