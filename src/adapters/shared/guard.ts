import { z } from 'zod';
import { field } from '../../core/option-fields.js';
import type { HttpAnswer } from '../../protocol.js';
import { forbidden, notAcceptable } from './answers.js';

/**
 * DNS rebinding protection, with the meaning the SDK transport gives these options, checked
 * before any session is created, acquired or restored: a refused request touches nothing.
 */
export interface DnsRebindingOptions {
  /**
   * Check `Host` against `allowedHosts` and `Origin` against `allowedOrigins`; a mismatch
   * answers 403 before any session is touched. @default false
   */
  enableDnsRebindingProtection?: boolean | undefined;
  /**
   * The `Host` header values accepted (exact match, port included, e.g. `127.0.0.1:3000`) when
   * `enableDnsRebindingProtection` is on; a missing `Host` is refused too. Empty or absent: any
   * host. @default none (any host)
   */
  allowedHosts?: readonly string[] | undefined;
  /**
   * The `Origin` header values accepted (exact match, e.g. `https://app.example`) when
   * `enableDnsRebindingProtection` is on; requests without `Origin` pass. Empty or absent: any
   * origin. @default none (any origin)
   */
  allowedOrigins?: readonly string[] | undefined;
}

/** {@link DnsRebindingOptions} after validation: `undefined` when nothing is checked. */
export interface ResolvedGuard {
  readonly hosts: ReadonlySet<string> | undefined;
  readonly origins: ReadonlySet<string> | undefined;
}

/** The option fields of {@link DnsRebindingOptions}, for a transport's option schema. */
export const GUARD_FIELDS = {
  enableDnsRebindingProtection: field(z.boolean().optional(), 'true or false'),
  allowedHosts: field(
    z.array(z.string().min(1)).readonly().optional(),
    'an array of non-empty Host header values, e.g. ["127.0.0.1:3000"]',
  ),
  allowedOrigins: field(
    z.array(z.string().min(1)).readonly().optional(),
    'an array of non-empty Origin header values, e.g. ["https://app.example"]',
  ),
};

/** The checks of validated {@link DnsRebindingOptions}; `undefined` when protection is off. */
export function resolveGuard(options: DnsRebindingOptions): ResolvedGuard | undefined {
  if (options.enableDnsRebindingProtection !== true) return undefined;
  const set = (values: readonly string[] | undefined) =>
    values === undefined || values.length === 0 ? undefined : new Set(values);
  const hosts = set(options.allowedHosts);
  const origins = set(options.allowedOrigins);
  return hosts === undefined && origins === undefined ? undefined : { hosts, origins };
}

/**
 * The 403 of a request whose `Host` or `Origin` DNS rebinding protection refuses, worded as the
 * SDK transport words it; `undefined` when the request passes.
 */
export function refusedByGuard(
  guard: ResolvedGuard | undefined,
  host: string | null | undefined,
  origin: string | null | undefined,
): HttpAnswer | undefined {
  if (guard === undefined) return undefined;
  if (guard.hosts !== undefined && (!host || !guard.hosts.has(host))) {
    return forbidden(`Invalid Host header: ${host ?? null}`);
  }
  if (guard.origins !== undefined && origin && !guard.origins.has(origin)) {
    return forbidden(`Invalid Origin header: ${origin}`);
  }
  return undefined;
}

/**
 * The 406 of a `POST` whose `Accept` header does not list both `application/json` and
 * `text/event-stream`, as the SDK transport answers it; `undefined` when it does.
 */
export function refusedPostAccept(accept: string | null | undefined): HttpAnswer | undefined {
  if (accept?.includes('application/json') && accept.includes('text/event-stream')) {
    return undefined;
  }
  return notAcceptable(
    'Not Acceptable: Client must accept both application/json and text/event-stream',
  );
}
