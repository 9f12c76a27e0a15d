import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, bench, describe } from 'vitest';
import { connectWithRecovery } from '../../src/client/index.js';
import { FixtureServer } from '../support/fixture-server.js';

const fixture = await FixtureServer.start();
const url = fixture.url;
const direct = new Client({ name: 'bench', version: '1.0.0' });
await direct.connect(new StreamableHTTPClientTransport(url));
const recovering = await connectWithRecovery(
  new Client({ name: 'bench', version: '1.0.0' }),
  () => new StreamableHTTPClientTransport(url),
);
const echo = { name: 'echo', arguments: { text: 'x' } };

afterAll(async () => {
  await direct.close();
  await recovering.close();
  await fixture.close();
});

describe('callTool over loopback HTTP', () => {
  bench('SDK Client', async () => {
    await direct.callTool(echo);
  });
  bench('connectWithRecovery', async () => {
    await recovering.callTool(echo);
  });
});

describe('a call whose session was lost', () => {
  bench(
    'connectWithRecovery: 404, initialize, retry (session ended in-process first)',
    async () => {
      await fixture.endSession(recovering.sessionId!, 'idle');
      await recovering.callTool(echo);
    },
    { iterations: 50 },
  );
});
