/**
 * SimpleRetriever: the page loop. Requests a page, selects its records, yields them as one batch,
 * asks the paginator for the next link. Pages are yielded whole so a checkpoint can only ever
 * follow complete pages; the stream applies its transformations.
 */
import type { HttpRequester, HttpResult, RequestExtras } from '../http/requester';
import type { Paginator } from './paginator';
import { SinglePartitionRouter, type PartitionRouter } from './partition-router';
import type { RecordSelector } from './record-selector';
import type { PageResponse, StreamContext, StreamRecord } from './types';

export interface Page {
  records: StreamRecord[];
  /** The response the page came from, when it came from one response. */
  response?: PageResponse;
  /** The context (with `stream_partition`) the page was read in: what transformations see. */
  context?: StreamContext;
}

/** What a stream reads its pages through: SimpleRetriever or a custom retriever. */
export interface Retriever {
  /** Yields every page of every partition, in order. */
  read(context: StreamContext): AsyncGenerator<Page>;
}

export class SimpleRetriever implements Retriever {
  constructor(
    private readonly requester: HttpRequester,
    private readonly selector: RecordSelector,
    private readonly paginator: Paginator,
    private readonly router: PartitionRouter = new SinglePartitionRouter(),
  ) {}

  /**
   * One request for `context` (or for `url`, a link of this stream's resource), answered as it
   * comes: no record selection, no pagination. For retrievers built on this one that need a
   * single answer of their own (a key-only pass, a probe).
   */
  request(context: StreamContext, url?: string, extra?: RequestExtras): Promise<HttpResult> {
    return this.requester.send(context, url, extra);
  }

  /** The absolute URL of a path relative to the requester's url_base, for links built outside the templates. */
  urlFor(context: StreamContext, relativePath: string, params: Record<string, unknown> = {}): string {
    return this.requester.urlFor(context, relativePath, params);
  }

  async *read(context: StreamContext): AsyncGenerator<Page> {
    for (const partition of await this.partitions(context)) yield* this.pages(partition);
  }

  /** The contexts of the partitions to read: `context` with `stream_partition` (and `stream_slice`) set. */
  async partitions(context: StreamContext): Promise<StreamContext[]> {
    return (await this.router.partitions(context)).map((partition) => ({ ...context, stream_partition: partition, stream_slice: partition }));
  }

  /**
   * Yields every page for `context`, starting from `startUrl` when resuming from a saved link;
   * `extra` adds headers and query parameters (an incremental cursor's filter, change tracking).
   */
  async *pages(context: StreamContext, startUrl?: string, extra?: RequestExtras): AsyncGenerator<Page> {
    // Its own loop detection: another walk of this retriever may be reading at the same time.
    const paginator = this.paginator.fresh();
    let url = startUrl;
    // The page held in memory (http/page-slots.ts): given back once the caller asks for the next page, having written this one, or stops.
    let release: (() => void) | undefined;
    try {
      for (;;) {
        release?.();
        const result = await this.requester.send(context, url, { ...extra, holdPage: true });
        release = result.release;
        const response: PageResponse = { url: result.url, body: result.body, headers: result.headers };
        const records = this.selector.select(result.body);
        const next = paginator.next(response, records);
        // A page whose link may not be followed is refused whole: nothing of it is handed out.
        if (next !== undefined) this.requester.checkFollowable(context, next);
        yield { records, response, context };
        if (next === undefined) return;
        url = next;
      }
    } finally {
      release?.();
    }
  }
}
