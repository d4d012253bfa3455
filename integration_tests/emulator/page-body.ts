/**
 * A page's body: its head, its entries comma-joined, its tail. Pages of ordinary rows are one
 * string built with one join (the fast path the benchmark measures). A page whose body would be
 * too large for that (rows with memo columns of up to 1,048,576 characters: 5,000 such rows are
 * gigabytes, more than a V8 string holds) is streamed: its reply carries the parts, each entry
 * rendered as the transport sends it (wire.ts), so the emulator holds about one write at a time.
 * [INF] facts.md does not say how the service frames such an answer; a streamed one goes out
 * chunked, as any HTTP/1.1 server sends a body whose length it does not know ahead. The connector
 * reads both framings alike (it never relies on Content-Length).
 */
import type { Reply } from './router';

/**
 * When a page's estimated body (its first entry's length x its entries) passes `thresholdChars`,
 * the page is streamed. 16 Mi characters: far above any page of ordinary rows (5,000 rows of a
 * few KB), far below V8's string limit. Tests lower it to stream small pages.
 */
export const pageStreaming = { thresholdChars: 16 * 1024 * 1024 };

/** The body fields of a page's reply: `body`, or for a large page `parts` (and an empty `body`). */
export function pageBody<T>(head: string, entries: readonly T[], render: (entry: T) => string, tail: string): Pick<Reply, 'body' | 'parts'> {
  if (entries.length === 0) return { body: `${head}${tail}` };
  const first = render(entries[0]);
  if (first.length * entries.length <= pageStreaming.thresholdChars) {
    // One join of flat entry strings: far less GC work than growing one string entry by entry.
    return { body: `${head}${entries.map((entry, i) => (i === 0 ? first : render(entry))).join(',')}${tail}` };
  }
  return { body: '', parts: () => pageParts(head, entries, render, tail) };
}

/** The page's text in order, each entry rendered when it is reached. */
function* pageParts<T>(head: string, entries: readonly T[], render: (entry: T) => string, tail: string): Generator<string> {
  yield head;
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) yield ',';
    yield render(entries[i]);
  }
  yield tail;
}
