/**
 * The fleet suite's relayed round trip: a tool that asks the client one elicitation question,
 * with the client's answer POSTed to the replica that asked (one replica) or to the other one
 * (relayed: the answer crosses the relay), alternated round by round on the same two replicas.
 */
import { ELICITATION_CAPABILITIES, elicitRoundTrip } from './elicit-client.js';
import { type Fleet, latencyFigures, type RoundSamples, startFleet } from './fleet.js';
import { initialize } from './mcp-client.js';
import { type BenchRow, medianOf } from './report.js';
import type { BenchSettings } from './settings.js';

/** Sessions the calls rotate over, each initialized on one replica and notified on the other. */
const SESSIONS = 4;
/** Sequential round trips per subject and round. */
const CALLS_PER_ROUND = 100;
const WARM_UP_CALLS = 20;

type Subject = 'one' | 'relayed';

/** Where call `k` goes and where its answer goes. */
function route(fleet: Fleet, subject: Subject, k: number): [string, string] {
  const call = fleet.urls[k % 2]!;
  const answer = subject === 'one' ? call : fleet.urls[(k + 1) % 2]!;
  return [call, answer];
}

async function roundTrips(
  fleet: Fleet,
  ids: readonly string[],
  subject: Subject,
  count: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let k = 0; k < count; k++) {
    const [call, answer] = route(fleet, subject, k);
    samples.push(await elicitRoundTrip(call, answer, ids[k % ids.length]!));
  }
  return samples;
}

/** Rows of the relayed round trip against the same call on one replica. */
export async function elicitRows(settings: BenchSettings, prefix: string): Promise<BenchRow[]> {
  const fleet = await startFleet(2, { redisUrl: settings.redisUrl, prefix });
  try {
    const [a, b] = fleet.urls as [string, string];
    const ids = await Promise.all(
      Array.from({ length: SESSIONS }, () =>
        initialize(a, { capabilities: { ...ELICITATION_CAPABILITIES }, notifyUrl: b }),
      ),
    );
    const subjects: Subject[] = ['one', 'relayed'];
    const samples = new Map<Subject, RoundSamples>(subjects.map((s) => [s, []]));
    for (const subject of subjects) await roundTrips(fleet, ids, subject, WARM_UP_CALLS);
    for (let round = 0; round < settings.rounds; round++) {
      for (const subject of subjects) {
        const round_ = await roundTrips(fleet, ids, subject, CALLS_PER_ROUND);
        samples.get(subject)!.push(round_);
        console.error(
          `bench:   round ${round + 1} elicit ${subject}: p50 ${latencyFigures([round_]).p50.toFixed(2)} ms`,
        );
      }
    }
    const note = `${CALLS_PER_ROUND} sequential calls x ${settings.rounds} rounds, percentiles of all rounds pooled, no GET stream`;
    const labels: Record<Subject, string> = {
      one: 'call and answer on one replica',
      relayed: 'answer POSTed to the other replica (relayed)',
    };
    const rows: BenchRow[] = [];
    for (const subject of subjects) {
      const f = latencyFigures(samples.get(subject)!);
      const name = `elicitation round trip p50, ${labels[subject]}`;
      rows.push(
        { suite: 'fleet', name, unit: 'ms', value: f.p50, spread: f.spread, note },
        { suite: 'fleet', name: name.replace(' p50,', ' p99,'), unit: 'ms', value: f.p99, note },
      );
    }
    const one = latencyFigures(samples.get('one')!).roundP50s;
    const relayed = latencyFigures(samples.get('relayed')!).roundP50s;
    const ratio = medianOf(relayed.map((value, i) => value / one[i]!));
    rows.push({
      suite: 'fleet',
      name: 'elicitation round trip p50 ratio, relayed / one replica',
      unit: 'x',
      value: ratio.median,
      spread: ratio.spread,
      note: 'median of per-round ratios',
    });
    return rows;
  } finally {
    await fleet.stop();
  }
}
