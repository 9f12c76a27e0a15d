import { describe, expect, it, onTestFinished } from 'vitest';
import { utf8Length } from '../../src/core/init-text.js';
import { type JsonValue, SessionManager, type SessionManagerOptions } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

function setup(options: SessionManagerOptions = {}) {
  const clock = new ManualClock();
  const sessions = new SessionManager({ clock, idleTtlMs: 1000, autoStart: false, ...options });
  onTestFinished(() => sessions.close());
  return { clock, sessions };
}

/** An `initialize` request whose JSON text is exactly `bytes` bytes long (ASCII). */
function initOf(bytes: number): JsonValue {
  const bare = JSON.stringify({ method: 'initialize', params: { pad: '' } });
  return { method: 'initialize', params: { pad: 'x'.repeat(bytes - bare.length) } };
}

describe('the stored initialize', () => {
  it('is kept as its JSON text, answered by create and resolve', async () => {
    const { sessions } = setup();
    const init = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { clientInfo: 'é' } };
    const created = await sessions.create({ init });
    expect(created.init).toBe(JSON.stringify(init));
    const resolved = await sessions.resolve(created.id);
    expect(resolved.status === 'active' && resolved.session.init).toBe(JSON.stringify(init));
    expect(JSON.parse(created.init!)).toEqual(init);
  });

  it('is capped at 16 KiB by default: one byte more is refused before any store call', async () => {
    const { sessions } = setup();
    await expect(sessions.create({ init: initOf(16_384) })).resolves.toBeDefined();
    const refused = sessions.create({ init: initOf(16_385) });
    await expect(refused).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message:
        'The initialize request is 16385 bytes as JSON; at most 16384 are kept per session (option `maxInitBytes`).',
    });
    expect(await sessions.count()).toBe(1);
  });

  it('counts the cap in UTF-8 bytes, not characters', async () => {
    const { sessions } = setup({ maxInitBytes: 256 });
    // 120 two-byte characters: 120 characters, 240 bytes, plus the JSON around them.
    const init = { method: 'initialize', params: { name: 'é'.repeat(120) } };
    expect(JSON.stringify(init).length).toBeLessThan(256);
    expect(utf8Length(JSON.stringify(init))).toBeGreaterThan(256);
    await expect(sessions.create({ init })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const fits = { method: 'initialize', params: { name: 'é'.repeat(50) } };
    await expect(sessions.create({ init: fits })).resolves.toBeDefined();
  });

  it('takes maxInitBytes from 256 to 1 MiB and refuses anything else', () => {
    for (const bad of [0, 255, 1024 * 1024 + 1, 1.5, '16384', Infinity]) {
      expect(() => setup({ maxInitBytes: bad as number })).toThrow(
        expect.objectContaining({
          code: 'INVALID_OPTION',
          message: expect.stringContaining(
            '`maxInitBytes`: expected an integer number of bytes from 256 to 1048576',
          ),
        }),
      );
    }
    expect(() => setup({ maxInitBytes: 256 })).not.toThrow();
    expect(() => setup({ maxInitBytes: 1024 * 1024 })).not.toThrow();
  });

  it('is counted in stats().initBytes while its session lives', async () => {
    const { sessions, clock } = setup();
    expect((await sessions.stats()).initBytes).toBe(0);
    const a = await sessions.create({ init: initOf(1000) });
    await sessions.create({ init: { method: 'initialize', params: { name: 'ü🙂' } } });
    await sessions.create();
    const second = utf8Length(JSON.stringify({ method: 'initialize', params: { name: 'ü🙂' } }));
    expect(second).toBe(
      JSON.stringify({ method: 'initialize', params: { name: '' } }).length + 2 + 4,
    );
    expect((await sessions.stats()).initBytes).toBe(1000 + second);
    await sessions.end(a.id);
    expect((await sessions.stats()).initBytes).toBe(second);
    clock.advance(1000);
    await sessions.sweep();
    expect((await sessions.stats()).initBytes).toBe(0);
  });

  it('utf8Length agrees with the encoder', () => {
    const encoder = new TextEncoder();
    for (const text of ['', 'ascii', 'é', '€', '🙂', 'a\u0800b', '\ud83d', 'x🙂é€\u007f\u0080']) {
      expect(utf8Length(text)).toBe(encoder.encode(text).length);
    }
  });
});
