import type { HttpRequester } from '../../connector/http/requester';
import { CursorPaginator } from '../../connector/streams/paginator';
import { DpathExtractor, RecordSelector } from '../../connector/streams/record-selector';
import { SimpleRetriever } from '../../connector/streams/retriever';

/** Pages `https://x.test/s?page=n` of one row each; page 3 is the last, unless `loop` sends page 1's link again. */
function retriever(loop = false): SimpleRetriever {
  const requester = {
    send: async (_context: unknown, url?: string) => {
      const page = url === undefined ? 0 : Number(new URL(url).searchParams.get('page'));
      const next = page < 2 ? `https://x.test/s?page=${page + 1}` : loop ? 'https://x.test/s?page=1' : undefined;
      return { url: url ?? 'https://x.test/s', status: 200, headers: new Headers(), body: { value: [{ id: page }], ...(next ? { '@odata.nextLink': next } : {}) } };
    },
    checkFollowable: () => undefined,
  } as unknown as HttpRequester;
  const paginator = new CursorPaginator({ render: (context) => (context.response as Record<string, unknown>)['@odata.nextLink'] }, undefined);
  return new SimpleRetriever(requester, new RecordSelector(new DpathExtractor(['value'])), paginator);
}

test('two walks of one retriever at the same time each have their own loop detection', async () => {
  const shared = retriever();
  const first = shared.pages({});
  const second = shared.pages({});
  const ids: unknown[] = [];
  // Interleaved: both walks see the same links, which is no loop.
  for (let i = 0; i < 3; i++) {
    for (const walk of [first, second]) {
      const { value } = await walk.next();
      ids.push(value?.records[0].id);
    }
  }
  expect(ids).toEqual([0, 0, 1, 1, 2, 2]);
  expect((await first.next()).done).toBe(true);
  expect((await second.next()).done).toBe(true);
});

test('a link seen twice within one walk still stops the read', async () => {
  const pages = retriever(true).pages({});
  await pages.next();
  await pages.next();
  await expect(pages.next()).rejects.toThrow('Dataverse returned the same next-page link twice; the read stopped instead of looping (link 23 characters, page of 1 records)');
});
