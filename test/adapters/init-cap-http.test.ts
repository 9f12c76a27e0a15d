import { describe, expect, it } from 'vitest';
import { createDemoServer } from '../../examples/demo-server.js';
import { StreamableHttpHandler } from '../../src/adapters/streamable-http/index.js';
import { SessionManager } from '../../src/index.js';
import { initializeRequest, postHeaders, startHarness } from '../support/harness.js';

/** An `initialize` whose JSON text is about `bytes` long, its capabilities over many keys. */
function bigInitialize(bytes: number): Record<string, unknown> {
  const request = initializeRequest();
  const capabilities: Record<string, string> = {};
  for (let k = 0; JSON.stringify(capabilities).length < bytes; k++) capabilities[`c${k}`] = 'x';
  return { ...request, params: { ...(request.params as object), capabilities } };
}

describe('an initialize over maxInitBytes', () => {
  it('answers 400 naming the cap on the node door, and creates nothing', async () => {
    const harness = await startHarness({ managerOptions: { maxInitBytes: 4096 } });
    const response = await fetch(harness.mcpUrl, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(bigInitialize(5000)),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const answer = (await response.json()) as { error: { code: number; message: string } };
    expect(answer.error.code).toBe(-32000);
    expect(answer.error.message).toMatch(
      /^The initialize request is \d+ bytes as JSON; at most 4096/,
    );
    expect(await harness.sessions.count()).toBe(0);
    expect(harness.counts.servers).toBe(0);
    const fits = await fetch(harness.mcpUrl, {
      method: 'POST',
      headers: postHeaders(),
      body: JSON.stringify(bigInitialize(3000)),
    });
    expect(fits.status).toBe(200);
    await fits.text();
    expect(await harness.sessions.count()).toBe(1);
  });

  it('answers 400 on the fetch door too, and creates nothing', async () => {
    const sessions = new SessionManager({ autoStart: false });
    const handler = new StreamableHttpHandler({ sessions, createServer: createDemoServer });
    try {
      const response = await handler.fetch(
        new Request('http://127.0.0.1/mcp', {
          method: 'POST',
          headers: postHeaders(),
          body: JSON.stringify(bigInitialize(17_000)),
        }),
      );
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('at most 16384 are kept per session');
      expect(await sessions.count()).toBe(0);
      expect(handler.size).toBe(0);
    } finally {
      await handler.close();
      await sessions.close();
    }
  });
});
