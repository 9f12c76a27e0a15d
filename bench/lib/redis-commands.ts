/**
 * Helpers of the suites that talk to Redis: labels and totals of the commands `MONITOR` counts
 * (see `./redis-monitor.ts`), and the deletion of a run's keys.
 */
import type { Redis } from 'ioredis';
import { scripts } from '../../src/stores/redis/scripts.js';

const SCRIPT_NAMES = new Map(Object.entries(scripts).map(([name, script]) => [script.sha, name]));

/** `EVALSHA <sha>` becomes the script's name, any other command its own name. */
export function commandLabel(line: string): string {
  const words = line.match(/"((?:[^"\\]|\\.)*)"/g) ?? [];
  const command = (words[0] ?? '""').slice(1, -1).toUpperCase();
  if (command !== 'EVALSHA') return command;
  const sha = (words[1] ?? '""').slice(1, -1);
  return `${SCRIPT_NAMES.get(sha) ?? sha} script`;
}

/** `label n/requests, ...`: commands per request, by label. */
export function describeCounts(counts: Map<string, number>, requests: number): string {
  return [...counts].map(([label, n]) => `${label} ${(n / requests).toFixed(3)}`).join(', ');
}

/** All commands counted, whatever their label. */
export function totalCount(counts: Map<string, number>): number {
  let sum = 0;
  for (const n of counts.values()) sum += n;
  return sum;
}

/** Deletes every key under `prefix` (SCAN + DEL, 1000 at a time). */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}
