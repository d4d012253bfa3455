/**
 * SimpleRetriever: the page loop. Requests a page, selects and transforms its records, yields them
 * as one batch, asks the paginator for the next link. Pages are yielded whole so a checkpoint can
 * only ever follow complete pages.
 */
import type { HttpRequester } from '../http/requester';
import type { Paginator } from './paginator';
import type { RecordSelector } from './record-selector';
import type { PageResponse, StreamContext, StreamRecord } from './types';

export interface Page {
  records: StreamRecord[];
  response: PageResponse;
  /** True for the last page of this read. */
  last: boolean;
}

export class SimpleRetriever {
  constructor(
    readonly requester: HttpRequester,
    private readonly selector: RecordSelector,
    private readonly paginator: Paginator,
  ) {}

  /** Yields every page for `context`, starting from `startUrl` when resuming from a saved link. */
  async *pages(context: StreamContext, startUrl?: string): AsyncGenerator<Page> {
    this.paginator.reset();
    let url = startUrl;
    for (;;) {
      const result = await this.requester.send(context, url);
      const response: PageResponse = { url: result.url, body: result.body, headers: result.headers };
      const records = this.selector.select(result.body);
      const next = this.paginator.next(response, records);
      yield { records, response, last: next === undefined };
      if (next === undefined) return;
      url = next;
    }
  }
}
