/** The body of a Web `Request`, read as text, or why it could not be. */
export type WebBody = { readonly text: string } | { readonly tooLarge: true };

/**
 * Reads a Web `Request` body as UTF-8 text, up to `maxBytes`. A declared `Content-Length` over
 * the limit is refused without reading; otherwise reading stops once the limit is passed.
 * Rejects when the stream fails.
 */
export async function readWebBody(request: Request, maxBytes: number): Promise<WebBody> {
  if (Number(request.headers.get('content-length')) > maxBytes) return { tooLarge: true };
  const body = request.body;
  if (body === null) return { text: '' };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return { tooLarge: true };
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return { text: text + decoder.decode() };
}
