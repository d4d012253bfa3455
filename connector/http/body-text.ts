/**
 * A response body as text, decoded in pieces as it arrives.
 *
 * `Response.text()` decodes the whole body at once, and Node makes a decoded text over about 1 MB
 * (EXTERN_APEX in its string_bytes.cc) an external string: malloc'd memory that is a few bytes on
 * the V8 heap and lives in the old generation, so the collector feels no pressure from it. A
 * million-row read kept a dozen dead 4.5 MB page texts (60 MB of RSS) at a time that way.
 * Decoded in pieces below that size, each piece is an ordinary heap string, and JSON.parse
 * flattens their concatenation on the heap, where V8 counts it.
 *
 * Network chunks (16-64 KB) are gathered into one scratch buffer of {@link DECODE_PIECE} first:
 * decoding each chunk as it comes filled the young generation with short-lived strings, and a
 * new buffer per piece would be malloc'd garbage again.
 */
export const DECODE_PIECE = 512 * 1024;

export async function readBodyText(answer: Response): Promise<string> {
  const body = answer.body;
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let scratch: Uint8Array | undefined;
  let used = 0;
  const decodeScratch = () => {
    if (scratch && used > 0) text += decoder.decode(scratch.subarray(0, used), { stream: true });
    used = 0;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (used + value.byteLength > DECODE_PIECE) decodeScratch();
      if (value.byteLength >= DECODE_PIECE) {
        text += decoder.decode(value, { stream: true });
        continue;
      }
      scratch ??= new Uint8Array(DECODE_PIECE);
      scratch.set(value, used);
      used += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  decodeScratch();
  return text + decoder.decode();
}
