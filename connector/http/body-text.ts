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
import { ConfigError } from '../errors';
export const DECODE_PIECE = 512 * 1024;

/**
 * The largest body read. V8 cannot hold a string much over 512 MB, and a body this size already
 * costs a gigabyte of memory once parsed: 5,000 rows of file-like memo columns pass it.
 */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

/** A body passed its limit: reading it is given up at that point, with the request. */
export class BodyTooLargeError extends ConfigError {
  constructor(
    readonly limitBytes: number,
    /** The request, as `GET /path`. */
    readonly what: string,
  ) {
    super(
      `the answer to ${what} passed ${Math.round(limitBytes / (1024 * 1024))} MB before it ended: its rows are too large for one page. ` +
        'Set page_size lower (for example 500, or 50 for tables of attachments or long notes)',
    );
    this.name = 'BodyTooLargeError';
  }
}

/**
 * A walk's first page passed the size it asked for (`firstPageBytes`): the walk asks again for
 * fewer rows (streams/retriever.ts). Should it ever escape the walk, it says what a
 * BodyTooLargeError says.
 */
export class PageTooLargeError extends BodyTooLargeError {
  constructor(limitBytes: number, what: string) {
    super(limitBytes, what);
    this.name = 'PageTooLargeError';
  }
}

/**
 * Whether an answer says it applied `odata.maxpagesize` (facts §5): only then can asking for
 * fewer rows make it smaller.
 */
function honorsPageSize(headers: Headers): boolean {
  return /(^|[,\s])odata\.maxpagesize=/i.test(headers.get('preference-applied') ?? '');
}

/**
 * The body's text; `onBytes` sees its bytes in order, in the pieces they are decoded in (the
 * scratch buffer is reused: it must not keep them). Past `limitBytes` the read stops and
 * BodyTooLargeError says what to change.
 * Past `softLimitBytes`, when lower and the answer applied a page size, it stops with
 * PageTooLargeError, for a caller that can ask for fewer rows.
 */
export async function readBodyText(answer: Response, what = 'the request', limitBytes = MAX_BODY_BYTES, softLimitBytes?: number, onBytes?: (bytes: Uint8Array) => void): Promise<string> {
  const soft = softLimitBytes !== undefined && softLimitBytes < limitBytes && honorsPageSize(answer.headers) ? softLimitBytes : undefined;
  const stopAt = soft ?? limitBytes;
  const body = answer.body;
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let scratch: Uint8Array | undefined;
  let used = 0;
  let read = 0;
  const decodeScratch = () => {
    if (scratch && used > 0) {
      const bytes = scratch.subarray(0, used);
      onBytes?.(bytes);
      text += decoder.decode(bytes, { stream: true });
    }
    used = 0;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      read += value.byteLength;
      if (read > stopAt) {
        await reader.cancel().catch(() => undefined);
        throw soft === undefined ? new BodyTooLargeError(limitBytes, what) : new PageTooLargeError(soft, what);
      }
      if (used + value.byteLength > DECODE_PIECE) decodeScratch();
      if (value.byteLength >= DECODE_PIECE) {
        onBytes?.(value);
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
