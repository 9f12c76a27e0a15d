/**
 * What a model reads when a handle cannot be used: each text names the full handle (where there
 * is one) and what to do next, and nothing else that varies per call, so that a handle never
 * issued, another owner's handle and an unknown one read exactly alike. Internal.
 *
 * @module
 */
import { SessionError } from '../core/errors.js';
import type { EndReason, Tombstone } from '../core/types.js';
import { capitalized, durationText } from './durations.js';
import { bodyLength } from './handle-id.js';
import type { ResolvedHandleKindOptions } from './options.js';

/** Errors already worded for a model, which `translate` passes through. */
const WORDED = new WeakSet<SessionError>();

function worded(error: SessionError): SessionError {
  WORDED.add(error);
  return error;
}

/** The texts and errors of one kind. */
export class HandleTexts {
  readonly #o: ResolvedHandleKindOptions;
  readonly #Name: string;
  readonly #Plural: string;

  constructor(options: ResolvedHandleKindOptions) {
    this.#o = options;
    this.#Name = capitalized(options.name);
    this.#Plural = capitalized(options.plural);
  }

  /** The tool that lists the caller's handles: `list_baskets`. */
  get listTool(): string {
    return `list_${this.#o.plural}`;
  }

  /** The tool that destroys a handle: `destroy_basket`. */
  get destroyTool(): string {
    return `destroy_${this.#o.name}`;
  }

  #createNew(): string {
    return `Create a new ${this.#o.name} with ${this.#o.createTool}.`;
  }

  /** Unknown, never issued, or another owner's (live, expired or destroyed): one text. */
  notFound(id: string): SessionError {
    return worded(
      new SessionError(
        'SESSION_NOT_FOUND',
        `${this.#Name} ${id} was not found: it does not exist or is not yours. ${this.#createNew()}`,
      ),
    );
  }

  /** The caller's own handle has ended: why and when. */
  expired(id: string, tombstone: Tombstone): SessionError {
    const when = new Date(tombstone.endedAt).toISOString();
    return worded(
      new SessionError(
        'SESSION_ENDED',
        `${this.#Name} ${id} has expired: ${this.#why(tombstone.reason)} (at ${when}). ` +
          `Its contents are gone. ${this.#createNew()}`,
        { tombstone },
      ),
    );
  }

  #why(reason: EndReason): string {
    const { idleTtlMs, maxLifetimeMs } = this.#o;
    switch (reason) {
      case 'idle':
        return `it was not used for ${durationText(idleTtlMs)}`;
      case 'lifetime':
        return `it reached its maximum lifetime of ${durationText(maxLifetimeMs)}`;
      case 'deleted':
        return 'it was destroyed';
      case 'closed':
        return 'the server closed it';
      case 'evicted':
        return `it was removed to make room for other ${this.#o.plural}`;
      case 'shutdown':
        return 'the server shut down';
    }
  }

  /** A value that is not a handle of this kind (`otherKind`: a handle of another kind). */
  malformed(otherKind: boolean): SessionError {
    const { argument, name, prefix, idBytes, createTool } = this.#o;
    const form = `${prefix}_ followed by ${bodyLength(idBytes)} letters, digits, - or _`;
    const what = otherKind ? `a handle of another kind, not a ${name}` : `not a ${name} handle`;
    return worded(
      new SessionError(
        'INVALID_ARGUMENT',
        `Invalid ${argument}: ${what}. A ${name} handle is ${form}, as ${createTool} answers it.`,
      ),
    );
  }

  /** The owner holds `maxPerOwner` live handles. */
  quota(cause: unknown): SessionError {
    const { maxPerOwner, plural, name } = this.#o;
    return worded(
      new SessionError(
        'OWNER_QUOTA',
        `You already hold ${maxPerOwner} live ${plural}, the most allowed. Destroy one you no ` +
          `longer need with ${this.destroyTool} (see ${this.listTool}), or wait until one expires, ` +
          `then create the ${name} again.`,
        { cause },
      ),
    );
  }

  /** The store could not be reached: retry later. */
  unavailable(cause: unknown): SessionError {
    return worded(
      new SessionError(
        'STORE_UNAVAILABLE',
        `${this.#Plural} are unavailable right now (their store cannot be reached). Retry later.`,
        { cause },
      ),
    );
  }

  /** `maxHandles` reached. */
  capacity(cause: unknown): SessionError {
    return worded(
      new SessionError(
        'CAPACITY',
        `Too many ${this.#o.plural} are open on this server. Retry later.`,
        { cause },
      ),
    );
  }

  /** Other calls kept changing the handle's state under an update. */
  conflict(id: string, cause: unknown): SessionError {
    return worded(
      new SessionError(
        'UPDATE_CONFLICT',
        `${this.#Name} ${id} was being changed by other calls at the same time. Retry.`,
        { cause },
      ),
    );
  }

  /** The kind was closed (the server is shutting down). */
  closed(cause: unknown): SessionError {
    return worded(
      new SessionError(
        'CLOSED',
        `${this.#Plural} are unavailable: the server is shutting down. Retry later.`,
        { cause },
      ),
    );
  }

  /**
   * A core error as the error of this kind (its text for a model); `id` is the handle involved.
   * Errors that are not `SessionError`s are returned as they are.
   */
  translate(error: unknown, id?: string): unknown {
    if (!(error instanceof SessionError) || WORDED.has(error)) return error;
    switch (error.code) {
      case 'OWNER_QUOTA':
        return this.quota(error);
      case 'CAPACITY':
        return this.capacity(error);
      case 'STORE_UNAVAILABLE':
      case 'STORE_CORRUPT':
        return this.unavailable(error);
      case 'CLOSED':
        return this.closed(error);
      case 'SESSION_NOT_FOUND':
        return id === undefined ? error : this.notFound(id);
      case 'SESSION_ENDED':
        return id === undefined || error.tombstone === undefined
          ? error
          : this.expired(id, error.tombstone);
      case 'UPDATE_CONFLICT':
        return id === undefined ? error : this.conflict(id, error);
      default:
        return error;
    }
  }
}
