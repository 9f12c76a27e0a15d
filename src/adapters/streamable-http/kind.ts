/** The `kind` recorded for sessions created over Streamable HTTP. */
export const STREAMABLE_HTTP_KIND = 'streamable-http';
