/** SimpleRetriever.read: every page of every partition, in order, each page whole; a link that may not be followed stops the read before its page. */
import { ResponseError } from '../../connector/errors';
import type { HttpRequester } from '../../connector/http/requester';
import { CursorPaginator, NoPaginator } from '../../connector/streams/paginator';
import { ListPartitionRouter } from '../../connector/streams/partition-router';
import { DpathExtractor, RecordSelector } from '../../connector/streams/record-selector';
import { PageTooLargeError } from '../../connector/http/body-text';
import { FIRST_PAGE_BYTES, SimpleRetriever, SMALLER_PAGE_BYTES, type Page } from '../../connector/streams/retriever';

/** A requester fake: answers by URL (undefined: the first page of the partition), records every send and link check. */
function requester(pages: Record<string, unknown>, refuse?: string) {
  const sent: Array<[unknown, string | undefined]> = [];
  const checked: string[] = [];
  const fake = {
    async send(context: Record<string, any>, url?: string) {
      sent.push([context.stream_partition, url]);
      const key = url ?? `first:${JSON.stringify(context.stream_partition)}`;
      if (!(key in pages)) throw new Error(`unexpected request ${key}`);
      return { url: url ?? 'https://org.example/first', body: pages[key], headers: new Headers() };
    },
    checkFollowable(_context: unknown, link: string) {
      checked.push(link);
      if (link === refuse) throw new ResponseError(`refused ${link}`);
    },
  };
  return { fake: fake as unknown as HttpRequester, sent, checked };
}

const selector = new RecordSelector(new DpathExtractor(['value']));
const nextLink = new CursorPaginator({ render: (c) => (c.response as Record<string, unknown>)['@odata.nextLink'] }, undefined);

async function all(pages: AsyncGenerator<Page>): Promise<Page[]> {
  const out: Page[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('SimpleRetriever.read', () => {
  test('follows the next links of each partition; every page carries its records and partition context', async () => {
    const { fake, sent, checked } = requester({
      'first:{"entity":"a"}': { value: [{ n: 1 }], '@odata.nextLink': 'https://org.example/a2' },
      'https://org.example/a2': { value: [{ n: 2 }, { n: 3 }] },
      'first:{"entity":"b"}': { value: [] },
    });
    const router = new ListPartitionRouter({ render: () => ['a', 'b'] }, 'entity');
    const pages = await all(new SimpleRetriever(fake, selector, nextLink, router).read({ config: { x: 1 } }));
    expect(pages.map((p) => [p.records, p.context?.stream_partition, p.context?.stream_slice, p.response?.url])).toEqual([
      [[{ n: 1 }], { entity: 'a' }, { entity: 'a' }, 'https://org.example/first'],
      [[{ n: 2 }, { n: 3 }], { entity: 'a' }, { entity: 'a' }, 'https://org.example/a2'],
      [[], { entity: 'b' }, { entity: 'b' }, 'https://org.example/first'],
    ]);
    expect(pages[0]!.context).toEqual({ config: { x: 1 }, stream_partition: { entity: 'a' }, stream_slice: { entity: 'a' } });
    expect(sent).toEqual([[{ entity: 'a' }, undefined], [{ entity: 'a' }, 'https://org.example/a2'], [{ entity: 'b' }, undefined]]);
    expect(checked).toEqual(['https://org.example/a2']);
  });

  test('without a router: one empty partition, one request with NoPaginator', async () => {
    const { fake, sent } = requester({ 'first:{}': { value: [{ id: 'x' }], '@odata.nextLink': 'https://org.example/ignored' } });
    const pages = await all(new SimpleRetriever(fake, selector, new NoPaginator()).read({}));
    expect(pages.map((p) => p.records)).toEqual([[{ id: 'x' }]]);
    expect(sent).toEqual([[{}, undefined]]);
  });

  test('a next link that may not be followed fails the read before the page that carried it is handed out', async () => {
    const { fake } = requester({ 'first:{}': { value: [{ n: 1 }], '@odata.nextLink': 'https://evil.example/next' } }, 'https://evil.example/next');
    const seen: Page[] = [];
    const reading = (async () => {
      for await (const page of new SimpleRetriever(fake, selector, nextLink).read({})) seen.push(page);
    })();
    await expect(reading).rejects.toThrow(new ResponseError('refused https://evil.example/next'));
    expect(seen).toEqual([]);
  });
});

describe('SimpleRetriever.pages with large rows', () => {
  /**
   * A requester fake whose first pages are too large above `fits` rows per page: it answers
   * PageTooLargeError when the walk allows it (firstPageBytes), and records each request's page
   * size and whether it carried the soft limit.
   */
  function sizing(fits: number, pages: number) {
    const sent: Array<{ url?: string; pageSize: unknown; soft: number | false }> = [];
    const logs: string[] = [];
    const fake = {
      async send(context: Record<string, any>, url?: string, extra?: { firstPageBytes?: number }) {
        const pageSize = context.config.page_size;
        sent.push({ url, pageSize, soft: extra?.firstPageBytes ?? false });
        if (extra?.firstPageBytes !== undefined && pageSize > fits) throw new PageTooLargeError(extra.firstPageBytes, 'GET /api/data/v9.2/annotations');
        const n = url === undefined ? 1 : Number(url.split('=')[1]);
        const body = { value: [{ n }], ...(n < pages ? { '@odata.nextLink': `https://org.example/annotations?page=${n + 1}` } : {}) };
        return { url: url ?? 'https://org.example/annotations', body, headers: new Headers() };
      },
      checkFollowable() {},
      log(level: string, message: string) {
        logs.push(`${level} ${message}`);
      },
    };
    return { fake: fake as unknown as HttpRequester, sent, logs };
  }

  test('a first page past FIRST_PAGE_BYTES is asked again with a quarter of the rows until it fits in SMALLER_PAGE_BYTES; the walk keeps that size and says it on every page', async () => {
    const { fake, sent, logs } = sizing(78, 3);
    const context = { config: { page_size: 5000 } };
    const pages = await all(new SimpleRetriever(fake, selector, nextLink).pages(context));
    expect(pages.map((p) => [p.records, p.pageSize, (p.context?.config as { page_size: number }).page_size])).toEqual([
      [[{ n: 1 }], 78, 78],
      [[{ n: 2 }], 78, 78],
      [[{ n: 3 }], 78, 78],
    ]);
    expect(sent).toEqual([
      { url: undefined, pageSize: 5000, soft: FIRST_PAGE_BYTES },
      { url: undefined, pageSize: 1250, soft: SMALLER_PAGE_BYTES },
      { url: undefined, pageSize: 312, soft: SMALLER_PAGE_BYTES },
      { url: undefined, pageSize: 78, soft: SMALLER_PAGE_BYTES },
      { url: 'https://org.example/annotations?page=2', pageSize: 78, soft: false },
      { url: 'https://org.example/annotations?page=3', pageSize: 78, soft: false },
    ]);
    expect(logs).toEqual([
      'INFO the first page of GET /api/data/v9.2/annotations passed 32 MB at 5000 rows per page (large rows); asking again with 1250 rows per page',
      'INFO the first page of GET /api/data/v9.2/annotations passed 8 MB at 1250 rows per page (large rows); asking again with 312 rows per page',
      'INFO the first page of GET /api/data/v9.2/annotations passed 8 MB at 312 rows per page (large rows); asking again with 78 rows per page',
    ]);
    expect([FIRST_PAGE_BYTES, SMALLER_PAGE_BYTES]).toEqual([32 * 1024 * 1024, 8 * 1024 * 1024]);
    // The caller's context is left as it was.
    expect(context).toEqual({ config: { page_size: 5000 } });
  });

  test('a walk of the same context starts at the size another walk settled on; another context starts afresh', async () => {
    const { fake, sent } = sizing(312, 1);
    const retriever = new SimpleRetriever(fake, selector, nextLink);
    const shared = { config: { page_size: 5000 } };
    await all(retriever.pages(shared));
    sent.length = 0;
    const again = await all(retriever.pages(shared));
    expect(again.map((p) => p.pageSize)).toEqual([312]);
    expect(sent).toEqual([{ url: undefined, pageSize: 312, soft: SMALLER_PAGE_BYTES }]);
    sent.length = 0;
    await all(retriever.pages({ config: { page_size: 5000 } }));
    expect(sent.map((s) => s.pageSize)).toEqual([5000, 1250, 312]);
  });

  test('a page that fits at the configured size says no page size; a walk at 1 row per page, or continuing from a link, has no soft limit', async () => {
    const { fake, sent } = sizing(5000, 2);
    const pages = await all(new SimpleRetriever(fake, selector, nextLink).pages({ config: { page_size: 5000 } }));
    expect(pages.map((p) => p.pageSize)).toEqual([undefined, undefined]);
    sent.length = 0;
    await all(new SimpleRetriever(fake, selector, nextLink).pages({ config: { page_size: 1 } }));
    expect(sent.map((s) => s.soft)).toEqual([false, false]);
    sent.length = 0;
    await all(new SimpleRetriever(fake, selector, nextLink).pages({ config: { page_size: 5000 } }, 'https://org.example/annotations?page=2'));
    expect(sent).toEqual([{ url: 'https://org.example/annotations?page=2', pageSize: 5000, soft: false }]);
    sent.length = 0;
    // A link that begins a walk (a delta link) may be asked again with fewer rows.
    const small = sizing(1250, 2);
    const delta = await all(new SimpleRetriever(small.fake, selector, nextLink).pages({ config: { page_size: 5000 } }, 'https://org.example/annotations?page=1', undefined, true));
    expect(small.sent.map((s) => [s.url, s.pageSize, s.soft])).toEqual([
      ['https://org.example/annotations?page=1', 5000, FIRST_PAGE_BYTES],
      ['https://org.example/annotations?page=1', 1250, SMALLER_PAGE_BYTES],
      ['https://org.example/annotations?page=2', 1250, false],
    ]);
    expect(delta.map((p) => p.pageSize)).toEqual([1250, 1250]);
  });

  test('a page too large after the first is not asked again: the error stands', async () => {
    const fake = {
      async send(_context: unknown, url?: string) {
        if (url !== undefined) throw new PageTooLargeError(1, 'GET /x');
        return { url: 'https://org.example/x', body: { value: [{ n: 1 }], '@odata.nextLink': 'https://org.example/x?page=2' }, headers: new Headers() };
      },
      checkFollowable() {},
    } as unknown as HttpRequester;
    const seen: Page[] = [];
    const reading = (async () => {
      for await (const page of new SimpleRetriever(fake, selector, nextLink).pages({ config: { page_size: 5000 } })) seen.push(page);
    })();
    await expect(reading).rejects.toBeInstanceOf(PageTooLargeError);
    expect(seen).toHaveLength(1);
  });
});
