import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EndReason, type Lease, SessionManager } from '../../src/index.js';
import { ManualClock } from '../../src/testing/index.js';

const IDLE = 100;
const TOMBSTONE = 1000;
const MAX_SESSIONS = 4;
const OWNERS = ['alice', 'bob', undefined] as const;
type Owner = (typeof OWNERS)[number];

/** The reference model: what every session should be, computed the simplest possible way. */
interface ModelSession {
  owner: Owner;
  createdAt: number;
  lastSeenAt: number;
  pins: number;
  ended?: { reason: EndReason; endedAt: number };
}

type Op =
  | { op: 'create'; owner: number }
  | { op: 'resolve' | 'touch' | 'acquire'; session: number; owner: number }
  | { op: 'release'; lease: number }
  | { op: 'end'; session: number; reason: EndReason }
  | { op: 'advance'; ms: number }
  | { op: 'sweep' };

const reasons: EndReason[] = ['deleted', 'closed', 'evicted', 'shutdown'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), owner: fc.nat(2) }),
  fc.record({
    op: fc.constantFrom('resolve' as const, 'touch' as const, 'acquire' as const),
    session: fc.nat(7),
    // 3 and above: the session's own owner, so that most lookups are legitimate.
    owner: fc.nat(5),
  }),
  fc.record({ op: fc.constant('release' as const), lease: fc.nat(7) }),
  fc.record({
    op: fc.constant('end' as const),
    session: fc.nat(7),
    reason: fc.constantFrom(...reasons),
  }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ op: fc.constant('sweep' as const) }),
);

class Model {
  readonly sessions = new Map<string, ModelSession>();
  constructor(
    readonly clock: ManualClock,
    readonly lifetime: number,
  ) {}

  live(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.ended === undefined) n++;
    return n;
  }

  due(s: ModelSession, now: number): EndReason | undefined {
    if (s.ended !== undefined) return undefined;
    if (this.lifetime > 0 && s.createdAt + this.lifetime <= now) return 'lifetime';
    if (s.pins === 0 && s.lastSeenAt + IDLE <= now) return 'idle';
    return undefined;
  }

  endIfDue(s: ModelSession, now: number): void {
    const reason = this.due(s, now);
    if (reason !== undefined) s.ended = { reason, endedAt: now };
  }

  status(id: string, owner: Owner): string {
    const s = this.sessions.get(id);
    if (s === undefined) return 'unknown';
    // Another owner's lookup is answered unknown inside the store's step: it neither writes nor
    // ends a due session.
    if (s.owner !== owner) return 'unknown';
    const now = this.clock.now();
    this.endIfDue(s, now);
    if (s.ended === undefined) return 'active';
    if (s.ended.endedAt + TOMBSTONE <= now) return 'unknown';
    return `ended:${s.ended.reason}`;
  }
}

function statusOf(resolution: Awaited<ReturnType<SessionManager['resolve']>>): string {
  return resolution.status === 'ended' ? `ended:${resolution.tombstone.reason}` : resolution.status;
}

async function run(ops: Op[], lifetime: number): Promise<void> {
  const clock = new ManualClock();
  const manager = new SessionManager({
    clock,
    idleTtlMs: IDLE,
    maxLifetimeMs: lifetime,
    tombstoneTtlMs: TOMBSTONE,
    maxSessions: MAX_SESSIONS,
    autoStart: false,
  });
  const model = new Model(clock, lifetime);
  const ids: string[] = [];
  const leases: { lease: Lease; id: string; released: boolean }[] = [];
  try {
    for (const step of ops) {
      const now = clock.now();
      switch (step.op) {
        case 'create': {
          const owner = OWNERS[step.owner];
          if (model.live() >= MAX_SESSIONS) {
            await expect(manager.create({ owner })).rejects.toMatchObject({ code: 'CAPACITY' });
          } else {
            const { id } = await manager.create({ owner });
            ids.push(id);
            model.sessions.set(id, { owner, createdAt: now, lastSeenAt: now, pins: 0 });
          }
          break;
        }
        case 'resolve':
        case 'touch':
        case 'acquire': {
          const id = ids[step.session % Math.max(ids.length, 1)];
          if (id === undefined) break;
          const s = model.sessions.get(id)!;
          const owner = step.owner < OWNERS.length ? OWNERS[step.owner] : s.owner;
          const expected = model.status(id, owner);
          // Only the owner's touch refreshes: the store compares owners before any write.
          if (step.op !== 'resolve' && s.ended === undefined && owner === s.owner)
            s.lastSeenAt = now;
          const got = await manager[step.op](id, { owner });
          expect(statusOf(got)).toBe(expected);
          if (step.op === 'acquire' && got.status === 'active') {
            s.pins++;
            leases.push({ lease: got as Lease, id, released: false });
          }
          break;
        }
        case 'release': {
          const entry = leases.filter((l) => !l.released)[step.lease % Math.max(leases.length, 1)];
          if (entry === undefined) break;
          entry.released = true;
          await entry.lease.release();
          const s = model.sessions.get(entry.id)!;
          s.pins--;
          if (s.pins === 0 && s.ended === undefined) {
            if (model.lifetime > 0 && s.createdAt + model.lifetime <= now) {
              s.ended = { reason: 'lifetime', endedAt: now };
            } else s.lastSeenAt = now;
          }
          break;
        }
        case 'end': {
          const id = ids[step.session % Math.max(ids.length, 1)];
          if (id === undefined) break;
          const s = model.sessions.get(id)!;
          model.endIfDue(s, now);
          const expected = s.ended === undefined;
          if (expected) s.ended = { reason: step.reason, endedAt: now };
          expect(await manager.end(id, step.reason)).toBe(expected);
          break;
        }
        case 'advance':
          clock.advance(step.ms);
          break;
        case 'sweep': {
          let expected = 0;
          for (const s of model.sessions.values()) {
            const reason = model.due(s, now);
            if (reason !== undefined) {
              s.ended = { reason, endedAt: now };
              expected++;
            }
          }
          expect(await manager.sweep()).toBe(expected);
          break;
        }
      }
      for (const id of ids) {
        const owner = model.sessions.get(id)!.owner;
        expect(statusOf(await manager.resolve(id, { owner }))).toBe(model.status(id, owner));
      }
      expect(await manager.count()).toBe(model.live());
    }
  } finally {
    await manager.close();
  }
}

describe('SessionManager against a reference model', () => {
  it('agrees on the status of every ID after every step (idle TTL only)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 80 }), (ops) => run(ops, 0)),
      { numRuns: 500 },
    );
  });

  it('agrees with a maximum lifetime too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 80 }), (ops) => run(ops, 500)),
      { numRuns: 500 },
    );
  });
});
