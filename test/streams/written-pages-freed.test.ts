/**
 * A written page's rows are garbage while its walk waits for the next page. A suspended async
 * generator keeps its last page in its registers; with 48 walks waiting, that kept 30-odd
 * written pages alive. The selector hands out the body's own list and the writer empties it, so
 * whatever still refers to the list holds no rows.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { EventEmitter } from 'node:events';
import type { HttpRequester } from '../../connector/http/requester';
import { recordBatch } from '../../connector/protocol/messages';
import { MessageWriter } from '../../connector/protocol/writer';
import { CursorPaginator } from '../../connector/streams/paginator';
import { DpathExtractor, RecordSelector } from '../../connector/streams/record-selector';
import { SimpleRetriever } from '../../connector/streams/retriever';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

class Sink extends EventEmitter {
  lines = 0;
  write(chunk: string): boolean {
    this.lines += chunk.split('\n').length - 1;
    return true;
  }
}

/** Two pages; the second is answered only when `answer` is called, so the walk waits in between. */
function twoPages() {
  let answer!: () => void;
  const second = new Promise<void>((resolve) => (answer = resolve));
  const fake = {
    async send(_context: unknown, url?: string) {
      if (url === undefined) {
        const value = Array.from({ length: 200 }, (_, i) => ({ id: `row-${i}`, text: 'x'.repeat(100) }));
        return { url: 'https://org.example/1', body: { value, '@odata.nextLink': 'https://org.example/2' }, headers: new Headers() };
      }
      await second;
      return { url, body: { value: [{ id: 'last' }] }, headers: new Headers() };
    },
    checkFollowable() {},
  };
  return { requester: fake as unknown as HttpRequester, answer };
}

test('once written, the first page is collected while the walk waits for the second', async () => {
  const { requester, answer } = twoPages();
  const paginator = new CursorPaginator({ render: (c) => (c.response as Record<string, unknown>)['@odata.nextLink'] }, undefined);
  const walk = new SimpleRetriever(requester, new RecordSelector(new DpathExtractor(['value'])), paginator).pages({});
  const sink = new Sink();
  const writer = new MessageWriter(sink);

  const first = await walk.next();
  const records = (first.value as { records: Array<Record<string, unknown>> }).records;
  const row = new WeakRef(records[0]);
  await writer.write(recordBatch('s', records, 1));
  await writer.flush();
  expect(sink.lines).toBe(200);

  // The walk asks for its next page and waits: its registers still point at the first page.
  const pending = walk.next();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  expect(row.deref()).toBeUndefined();

  answer();
  const second = await pending;
  expect((second.value as { records: unknown[] }).records).toEqual([{ id: 'last' }]);
  expect((await walk.next()).done).toBe(true);
});
