import { createHash } from 'node:crypto';
import { errorMessage } from '../../core/errors.js';
import type { TimedConnection } from './connection.js';
import claimSource from './lua/claim-3.lua';
import countSource from './lua/count-2.lua';
import createSource from './lua/create-6.lua';
import endSource from './lua/end-6.lua';
import eventAddSource from './lua/event-add-1.lua';
import evictSource from './lua/evict-3.lua';
import getSource from './lua/get-2.lua';
import releaseHoldsSource from './lua/holds-release-n.lua';
import renewHoldsSource from './lua/holds-renew-n.lua';
import ownerInclude from './lua/includes/owner.lua';
import ownersInclude from './lua/includes/owners.lua';
import policyInclude from './lua/includes/policy.lua';
import recordsInclude from './lua/includes/records.lua';
import tombstonesInclude from './lua/includes/tombstones.lua';
import listSource from './lua/list-1.lua';
import listOwnerSource from './lua/list-owner-1.lua';
import timeSource from './lua/time-1.lua';
import touchSource from './lua/touch-3.lua';
import updateSource from './lua/update-2.lua';

const INCLUDES: Readonly<Record<string, string>> = {
  owner: ownerInclude,
  owners: ownersInclude,
  policy: policyInclude,
  records: recordsInclude,
  tombstones: tombstonesInclude,
};

/** Replaces each `--- @include "name"` line with the named file under `lua/includes/`. */
export function composeScript(source: string): string {
  return source.replace(/^--- @include "([\w-]+)"$/gm, (_, name: string) => {
    const include = INCLUDES[name];
    if (include === undefined) throw new Error(`Unknown Lua include "${name}".`);
    return include;
  });
}

/** A Lua script with its key count and SHA1, run by EVALSHA with an EVAL fallback. */
export class Script {
  readonly source: string;
  readonly sha: string;
  readonly numKeys: string;

  /** @param numKeys the script's key count; ignored by {@link Script.commandWithKeys}. */
  constructor(source: string, numKeys: number) {
    this.source = composeScript(source);
    this.sha = createHash('sha1').update(this.source).digest('hex');
    this.numKeys = String(numKeys);
  }

  /** A new `EVALSHA` command for this script; push its keys, then its arguments. */
  command(): string[] {
    return ['EVALSHA', this.sha, this.numKeys];
  }

  /** A new `EVALSHA` command for a script that takes any number of keys: `keyCount` of them. */
  commandWithKeys(keyCount: number): string[] {
    return ['EVALSHA', this.sha, String(keyCount)];
  }

  /**
   * Runs a command made by {@link Script.command}: one round trip once Redis has cached the
   * script; the first call on a Redis that does not know it yet (a restart, `SCRIPT FLUSH`,
   * another node) costs one more, by `EVAL`.
   */
  async run(connection: TimedConnection, command: string[]): Promise<unknown> {
    try {
      return await connection.send(command);
    } catch (error) {
      if (!errorMessage(error).startsWith('NOSCRIPT')) throw error;
      command[0] = 'EVAL';
      command[1] = this.source;
      return connection.send(command);
    }
  }
}

/** Every script of the store, composed and hashed once per process. */
export const scripts = {
  create: new Script(createSource, 6),
  get: new Script(getSource, 2),
  touch: new Script(touchSource, 3),
  end: new Script(endSource, 6),
  claim: new Script(claimSource, 3),
  count: new Script(countSource, 2),
  list: new Script(listSource, 1),
  listOwner: new Script(listOwnerSource, 1),
  update: new Script(updateSource, 2),
  eventAdd: new Script(eventAddSource, 1),
  renewHolds: new Script(renewHoldsSource, 0),
  releaseHolds: new Script(releaseHoldsSource, 0),
  evict: new Script(evictSource, 3),
  time: new Script(timeSource, 1),
} as const;
