import type { ListByOwnerOptions, StorePolicy } from '../../core/store.js';
import type { SessionRecord } from '../../core/types.js';
import type { TimedConnection } from './connection.js';
import type { KeyLayout } from './keys.js';
import { decodeRecord, replyArray } from './replies.js';
import { scripts } from './scripts.js';

/**
 * The Redis store's side of the owner index (see `lua/includes/owners.lua`): the quota
 * arguments of the create script, and one owner's sessions read in one round trip. Internal.
 *
 * @module
 */

/** A limit as the scripts take it: `-1` for none (absent or `Infinity`). */
function limitArg(limit: number | undefined): string {
  return limit === undefined || !Number.isFinite(limit) ? '-1' : String(limit);
}

/**
 * Pushes the create script's ARGV[9..10]: `maxSessionsPerOwner` and the owner (`''` none, else
 * `=` and the owner). Answers `args`.
 */
export function pushQuotaArgs(
  args: string[],
  policy: StorePolicy,
  owner: string | undefined,
): string[] {
  args.push(limitArg(policy.maxSessionsPerOwner), owner === undefined ? '' : `=${owner}`);
  return args;
}

/**
 * `owner`'s live sessions, oldest first, by the `list-owner` script over the owner's sorted set:
 * reads only that owner's session hashes and prunes members whose key is gone.
 */
export async function listOwnedSessions(
  connection: TimedConnection,
  keys: KeyLayout,
  owner: string,
  options: ListByOwnerOptions = {},
): Promise<SessionRecord[]> {
  const args = scripts.listOwner.command();
  args.push(keys.owner(owner), keys.prefix, owner);
  args.push(options.kind === undefined ? '' : `=${options.kind}`, limitArg(options.limit));
  const reply = replyArray(await scripts.listOwner.run(connection, args), '');
  const records: SessionRecord[] = [];
  for (let at = 0; at + 8 <= reply.length; at += 8) {
    records.push(decodeRecord(String(reply[at]), reply, at + 1, at + 7, false));
  }
  return records;
}
