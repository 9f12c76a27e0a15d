import { describe, expect, it } from 'vitest';
import { connectV1, connectV2, type Mount, seenOf, startV2, textOf } from './harness.js';

const MOUNTS: readonly Mount[] = ['node', 'express', 'fetch'];

describe.each(MOUNTS)(
  'mcp-sessions/v2 StreamableHttpHandler, both eras on one URL (%s)',
  (mount) => {
    it('a v2 client pinned to 2026-07-28 is served statelessly: no session, no Mcp-Session-Id', async () => {
      const v2 = await startV2({ mount });
      const { client, transport } = await connectV2(
        v2.url,
        { pin: '2026-07-28' },
        { 'x-probe': 'p' },
      );
      expect(client.getProtocolEra()).toBe('modern');
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['echo', 'whoami']);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
      const seen = seenOf(await client.callTool({ name: 'whoami', arguments: {} }));
      expect(seen).toEqual({ era: 'modern', session: null, hasReq: true, probe: 'p' });
      expect(transport.sessionId).toBeUndefined();
      expect((await v2.sessions.stats()).created).toBe(0);
      expect(v2.handler.size).toBe(0);
      expect(v2.built.length).toBeGreaterThan(0);
      expect(v2.built.every((context) => context.era === 'modern')).toBe(true);
    });

    it('a v2 client in auto mode negotiates the modern era on this endpoint, and creates no session', async () => {
      const v2 = await startV2({ mount });
      const { client, transport } = await connectV2(v2.url, 'auto');
      expect(client.getProtocolEra()).toBe('modern');
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'a' } }))).toBe('a');
      expect(transport.sessionId).toBeUndefined();
      expect((await v2.sessions.stats()).created).toBe(0);
    });

    it('a v2 client in legacy mode gets a session, its server told the session', async () => {
      const v2 = await startV2({ mount });
      const { client, transport } = await connectV2(v2.url, 'legacy', { 'x-probe': 'l' });
      expect(client.getProtocolEra()).toBe('legacy');
      const sessionId = transport.sessionId;
      expect(sessionId).toBeTypeOf('string');
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['echo', 'whoami']);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'b' } }))).toBe('b');
      const seen = seenOf(await client.callTool({ name: 'whoami', arguments: {} }));
      expect(seen).toEqual({ era: 'legacy', session: sessionId, hasReq: true, probe: 'l' });
      expect((await v2.sessions.stats()).created).toBe(1);
      expect(v2.handler.size).toBe(1);
      expect(v2.built).toEqual([
        { era: 'legacy', session: expect.objectContaining({ id: sessionId }) },
      ]);
    });

    it('the SDK v1 client gets a session too', async () => {
      const v2 = await startV2({ mount });
      const { client, transport } = await connectV1(v2.url, { 'x-probe': 'v1' });
      const sessionId = transport.sessionId;
      expect(sessionId).toBeTypeOf('string');
      const tools = await client.listTools();
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(['echo', 'whoami']);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'c' } }))).toBe('c');
      const seen = seenOf(await client.callTool({ name: 'whoami', arguments: {} }));
      expect(seen).toEqual({ era: 'legacy', session: sessionId, hasReq: true, probe: 'v1' });
      expect((await v2.sessions.stats()).created).toBe(1);
    });

    it('serves every kind of client at once, sessions only for the legacy ones', async () => {
      const v2 = await startV2({ mount });
      const modern = await connectV2(v2.url, { pin: '2026-07-28' });
      const legacy = await connectV2(v2.url, 'legacy');
      const v1 = await connectV1(v2.url);
      const answers = await Promise.all([
        modern.client.callTool({ name: 'echo', arguments: { text: 'm' } }),
        legacy.client.callTool({ name: 'echo', arguments: { text: 'l' } }),
        v1.client.callTool({ name: 'echo', arguments: { text: 'v' } }),
      ]);
      expect(answers.map(textOf)).toEqual(['m', 'l', 'v']);
      expect((await v2.sessions.stats()).created).toBe(2);
      expect(v2.handler.size).toBe(2);
    });
  },
);
