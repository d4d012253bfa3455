/**
 * DefaultPaginator + CursorPagination: the next page's token is a template over the response
 * (Dataverse: `@odata.nextLink`). A token seen twice means the server is looping: stop with an error
 * rather than spin forever.
 */
import { ResponseError } from '../errors';
import type { Renderable } from '../http/requester';
import { isTrue, type PageResponse, type StreamRecord } from './types';

/** How the token is put into the next request: the whole URL (RequestPath) is the only form Dataverse needs. */
export type PageTokenInjection = 'path';

export interface Paginator {
  /**
   * A paginator of the same kind with loop detection of its own, for one read: reads run
   * concurrently (streams, partitions), so each `pages()` walk takes a fresh one.
   */
  fresh(): Paginator;
  /** The next page's URL, or undefined on the last page. */
  next(response: PageResponse, records: StreamRecord[]): string | undefined;
}

export class CursorPaginator implements Paginator {
  private seen = new Set<string>();

  constructor(
    private readonly cursorValue: Renderable,
    private readonly stopCondition: Renderable | undefined,
  ) {}

  fresh(): CursorPaginator {
    return new CursorPaginator(this.cursorValue, this.stopCondition);
  }

  next(response: PageResponse, records: StreamRecord[]): string | undefined {
    const context = {
      response: response.body,
      headers: Object.fromEntries(response.headers),
      last_record: records[records.length - 1],
      last_page_size: records.length,
    };
    if (this.stopCondition && isTrue(this.stopCondition.render(context))) return undefined;
    const token = this.cursorValue.render(context);
    if (token === undefined || token === null || token === '') return undefined;
    const link = String(token);
    if (this.seen.has(link)) {
      throw new ResponseError(`Dataverse returned the same next-page link twice; the read stopped instead of looping (link ${link.length} characters, page of ${records.length} records)`);
    }
    this.seen.add(link);
    return link;
  }
}

/** No pagination: one request. */
export class NoPaginator implements Paginator {
  fresh(): NoPaginator {
    return this;
  }
  next(): undefined {
    return undefined;
  }
}

