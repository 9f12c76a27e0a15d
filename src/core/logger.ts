/**
 * A console-shaped logger. Every method is optional; pass `console` or a pino/winston child.
 * Session IDs in `details` are masked (first 8 characters) by the code that logs them.
 */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
  error?(message: string, details?: Record<string, unknown>): void;
}

/** Shortens a session ID for logs: enough to correlate, too little to hijack. */
export function maskSessionId(id: string): string {
  return id.length <= 8 ? '********' : `${id.slice(0, 8)}…`;
}
