/**
 * Creating pooled resources: one creation per `(session, key)` shared by every concurrent get,
 * after the session is confirmed active for the caller; a resource no longer wanted when it
 * arrives is closed at once. Internal to the resource pool.
 *
 * @module
 */
import type { Closer } from './closer.js';
import { findCloser } from './closer.js';
import { closeEntry } from './closing.js';
import { type Entry, type Group, newEntry } from './entry.js';
import type { PoolContext } from './pool-context.js';
import { abandonedError, createFailed, inactiveError, invalidResource } from './refusals.js';
import type { ResourceCloseReason, ResourceContext } from './types.js';

/**
 * Adds an entry for `key` to `group` and starts its creation on behalf of `owner`. The
 * entry's `creation` settles with the resource or the getters' error; it rejects at once when
 * the creation is abandoned.
 */
export function startCreation<R>(
  context: PoolContext<R>,
  group: Group<R>,
  key: string,
  owner: string | undefined,
): Entry<R> {
  const entry = newEntry<R>(group, key, owner);
  group.entries.set(key, entry);
  context.state.creating++;
  const work = create(context, entry, owner);
  entry.creation = new Promise<R>((resolve, reject) => {
    entry.abandon = reject;
    work.then(resolve, reject);
  });
  context.state.track(work);
  return entry;
}

async function create<R>(
  context: PoolContext<R>,
  entry: Entry<R>,
  owner: string | undefined,
): Promise<R> {
  const { state } = context;
  const { group, key } = entry;
  const { sessionId } = group;
  let resource: R;
  try {
    if (!group.confirmed) {
      const resolution = await context.manager.resolve(sessionId, { owner });
      if (resolution.status !== 'active') throw inactiveError(resolution, sessionId, key);
      group.owner = resolution.session.owner;
      group.confirmed = true;
    }
    if (entry.doomed !== undefined) throw abandonedError(entry, entry.doomed);
    try {
      resource = await context.options.create(factoryContext(entry));
    } catch (error) {
      if (entry.doomed !== undefined) throw abandonedError(entry, entry.doomed);
      state.createFailures++;
      throw createFailed(sessionId, key, error);
    }
  } catch (error) {
    state.creating--;
    state.forget(entry);
    throw error;
  }
  state.creating--;
  const closer = closerFor(context, entry, resource);
  if (closer === undefined) {
    state.createFailures++;
    state.forget(entry);
    throw invalidResource(sessionId, key);
  }
  entry.resource = resource;
  entry.closer = closer;
  entry.controller = undefined;
  entry.state = 'ready';
  state.resources++;
  state.created++;
  context.emitCreated({ sessionId, key });
  if (entry.doomed !== undefined) {
    const reason = entry.doomed;
    void closeEntry(context, entry, reason);
    throw abandonedError(entry, reason);
  }
  state.touch(entry);
  return resource;
}

/** The factory's context; its `signal` is made on first read (an AbortController is costly). */
function factoryContext<R>(entry: Entry<R>): ResourceContext {
  const { group, key } = entry;
  const abandoned = (reason: ResourceCloseReason) => abandonedError(entry, reason);
  return {
    sessionId: group.sessionId,
    key,
    owner: group.owner,
    get signal() {
      if (entry.controller === undefined) {
        entry.controller = new AbortController();
        if (entry.doomed !== undefined) entry.controller.abort(abandoned(entry.doomed));
      }
      return entry.controller.signal;
    },
  };
}

function closerFor<R>(context: PoolContext<R>, entry: Entry<R>, resource: R): Closer | undefined {
  const close = context.options.close;
  if (close === undefined) return findCloser(resource);
  const { group, key } = entry;
  return (reason) => close(resource, { sessionId: group.sessionId, key, reason });
}
