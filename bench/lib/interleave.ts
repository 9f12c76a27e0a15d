/** Subjects measured in one run, round by round, so machine drift hits each alike. */
import { medianOf } from './report.js';

/** Median and spread of one subject's samples, and the samples themselves in round order. */
export interface SubjectFigures {
  median: number;
  spread: number;
  samples: number[];
}

/**
 * Calls every subject once per round, in the same order each round, `rounds` times; a subject
 * answers one sample (e.g. ops/s of a fixed batch). Answers each subject's median.
 */
export function interleave<K extends string>(
  subjects: Readonly<Record<K, () => number>>,
  rounds: number,
): Record<K, SubjectFigures> {
  const names = Object.keys(subjects) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names) samples.get(name)!.push(subjects[name]());
  }
  return Object.fromEntries(
    names.map((name) => {
      const all = samples.get(name)!;
      return [name, { ...medianOf(all), samples: all }];
    }),
  ) as Record<K, SubjectFigures>;
}

/**
 * Median over rounds of `subject[i] / reference[i]`: the ratio of two subjects measured in the
 * same rounds, steadier than the ratio of their medians when the machine drifts.
 */
export function pairedRatio(
  subject: SubjectFigures,
  reference: SubjectFigures,
): { median: number; spread: number } {
  return medianOf(subject.samples.map((value, i) => value / reference.samples[i]!));
}
