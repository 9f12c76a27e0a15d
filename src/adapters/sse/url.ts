/** The query parameter that carries the session ID on legacy `POST /messages` requests. */
export const SESSION_ID_PARAM = 'sessionId';

/** The path of a request target (`/messages?sessionId=x` -> `/messages`). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const end = url.indexOf('?');
  return end < 0 ? url : url.slice(0, end);
}

/** The `sessionId` query parameter of a request target; `null` when absent. */
export function sessionIdOf(url: string | undefined): string | null {
  if (url === undefined) return null;
  const start = url.indexOf('?');
  if (start < 0) return null;
  return new URLSearchParams(url.slice(start + 1)).get(SESSION_ID_PARAM);
}
