/** SimpleRetriever.read: every page of every partition, in order, each page whole; a link that may not be followed stops the read before its page. */
import { ResponseError } from '../../connector/errors';
import type { HttpRequester } from '../../connector/http/requester';
import { CursorPaginator, NoPaginator } from '../../connector/streams/paginator';
import { ListPartitionRouter } from '../../connector/streams/partition-router';
import { DpathExtractor, RecordSelector } from '../../connector/streams/record-selector';
import { SimpleRetriever, type Page } from '../../connector/streams/retriever';

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
