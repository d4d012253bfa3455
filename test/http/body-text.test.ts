/** readBodyText: the body decoded in pieces equals Response.text(), and a large text lives on the V8 heap, not outside it. */
import { ConfigError } from '../../connector/errors';
import { BodyTooLargeError, DECODE_PIECE, MAX_BODY_BYTES, PageTooLargeError, readBodyText } from '../../connector/http/body-text';

/** A response whose body arrives in exactly these chunks. */
function chunked(chunks: Uint8Array[]): Response {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  return new Response(stream);
}

/** `bytes` cut every `size` bytes, whatever characters the cuts fall in. */
function cut(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

describe('readBodyText', () => {
  test('multi-byte characters cut across chunks and across pieces decode whole', async () => {
    // 3- and 4-byte characters; chunk sizes that are not multiples of either.
    const text = `{"name":"${'Zürich 東京 🚀 '.repeat(60_000)}"}`;
    const bytes = new TextEncoder().encode(text);
    expect(bytes.length).toBeGreaterThan(2 * DECODE_PIECE);
    for (const size of [7, 16_381, DECODE_PIECE - 1, DECODE_PIECE + 3]) {
      expect(await readBodyText(chunked(cut(bytes, size)))).toBe(text);
    }
    expect(await readBodyText(chunked(cut(new TextEncoder().encode('é🚀x'), 1)))).toBe('é🚀x');
  });

  test('the same text as Response.text(): a leading BOM dropped, a broken sequence replaced, an empty body empty', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    expect(await readBodyText(chunked([bom]))).toBe(await new Response(bom).text());
    expect(await readBodyText(chunked([bom]))).toBe('{}');
    const broken = new Uint8Array([0x61, 0xe6, 0x9d, 0x62]);
    expect(await readBodyText(chunked(cut(broken, 2)))).toBe(await new Response(broken).text());
    expect(await readBodyText(chunked([]))).toBe('');
    expect(await readBodyText(new Response(null))).toBe('');
  });

  test('a 6 MB text is held on the V8 heap, not as memory outside it that the collector cannot see', async () => {
    const bytes = new TextEncoder().encode('x'.repeat(6 * 1024 * 1024));
    const before = process.memoryUsage().external;
    const text = await readBodyText(chunked(cut(bytes, 64 * 1024)));
    const flat = JSON.stringify(text).length;
    const grown = process.memoryUsage().external - before;
    expect(flat).toBe(6 * 1024 * 1024 + 2);
    // Response.text() would add the whole 6 MB here (an external string).
    expect(grown).toBeLessThan(1024 * 1024);
  });

  test('past its limit the read stops, cancels the body and says what to change; at the limit it is whole', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (c) => {
        pulled++;
        c.enqueue(new Uint8Array(64 * 1024).fill(0x61));
      },
      cancel: () => void (cancelled = true),
    });
    const err = await readBodyText(new Response(endless), 'GET /api/data/v9.2/annotations', 1024 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyTooLargeError);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'the answer to GET /api/data/v9.2/annotations passed 1 MB before it ended: its rows are too large for one page. Set page_size lower (for example 500, or 50 for tables of attachments or long notes)',
    );
    // 17 chunks read (the 17th passes 1 MB), one more queued by the stream ahead of the reader.
    expect([pulled, cancelled]).toEqual([18, true]);
    const exact = new Uint8Array(1024 * 1024).fill(0x62);
    expect((await readBodyText(chunked(cut(exact, 64 * 1024)), 'GET /x', 1024 * 1024)).length).toBe(1024 * 1024);
    expect(MAX_BODY_BYTES).toBe(256 * 1024 * 1024);
  });

  test('past a soft limit below the hard one the read stops with PageTooLargeError, which says the same to a customer', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024).fill(0x61);
    const paged = (r: Response) => new Response(r.body, { headers: { 'Preference-Applied': 'odata.maxpagesize=5000' } });
    const soft = await readBodyText(paged(chunked(cut(bytes, 64 * 1024))), 'GET /api/data/v9.2/annotations', 8 * 1024 * 1024, 2 * 1024 * 1024).catch((e: unknown) => e);
    expect(soft).toBeInstanceOf(PageTooLargeError);
    expect(soft).toMatchObject({ limitBytes: 2 * 1024 * 1024, what: 'GET /api/data/v9.2/annotations', name: 'PageTooLargeError' });
    expect((soft as Error).message).toBe(
      'the answer to GET /api/data/v9.2/annotations passed 2 MB before it ended: its rows are too large for one page. Set page_size lower (for example 500, or 50 for tables of attachments or long notes)',
    );
    // A soft limit at or above the hard one is no limit of its own: the hard one says it.
    const hard = await readBodyText(chunked(cut(bytes, 64 * 1024)), 'GET /x', 1024 * 1024, 2 * 1024 * 1024).catch((e: unknown) => e);
    expect(hard).toBeInstanceOf(BodyTooLargeError);
    expect(hard).not.toBeInstanceOf(PageTooLargeError);
    expect((hard as BodyTooLargeError).limitBytes).toBe(1024 * 1024);
    expect((await readBodyText(paged(chunked(cut(bytes, 64 * 1024))), 'GET /x', 8 * 1024 * 1024, 4 * 1024 * 1024)).length).toBe(3 * 1024 * 1024);
    // An answer that did not apply a page size cannot be made smaller by asking fewer rows: no soft limit.
    expect((await readBodyText(chunked(cut(bytes, 64 * 1024)), 'GET /x', 8 * 1024 * 1024, 2 * 1024 * 1024)).length).toBe(3 * 1024 * 1024);
  });

  test('a body that fails while streaming rejects with its error', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"value":['));
        controller.error(new Error('socket reset'));
      },
    });
    await expect(readBodyText(new Response(stream))).rejects.toThrow('socket reset');
  });
});
