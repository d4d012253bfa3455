/**
 * SimpleRetriever: the page loop. Requests a page, selects its records, yields them as one batch,
 * asks the paginator for the next link. Pages are yielded whole so a checkpoint can only ever
 * follow complete pages; the stream applies its transformations.
 *
 * Large rows: a walk's first page may be given up once its answer passes
 * {@link FIRST_PAGE_BYTES}, and the walk starts again asking a quarter of the rows per page, until
 * its first page fits in {@link SMALLER_PAGE_BYTES}. Only
 * the first page: Dataverse wants the same `odata.maxpagesize` on every page of a walk (facts
 * §5), and nothing of a first page has been handed out, so starting again loses and repeats
 * nothing. The size a walk settles on is on each of its pages, for a saved link to resume with.
 */
import { PageTooLargeError } from '../http/body-text';
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
  /**
   * The rows per page the walk reads at, when it had to ask fewer than the configured page_size
   * (large rows). A link of this walk must be resumed at that size ({@link withPageSize}).
   */
  pageSize?: number;
}

/**
 * How large a walk's first page may grow at the configured page size before the walk asks for
 * fewer rows: 5,000 rows of up to 6.5 KB. Ordinary tables stay far below (a 20-column page is
 * about 4.5 MB) and keep the page size they are configured with.
 */
export const FIRST_PAGE_BYTES = 32 * 1024 * 1024;

/**
 * Once a walk asks for fewer rows, the size its first page must fit in: about an ordinary
 * table's page. A table of file-like memo columns (256 KB rows: 1.3 GB a page at 5,000) settles at
 * 19 rows, 5 MB a page; two pages are held at once (http/page-slots.ts).
 */
export const SMALLER_PAGE_BYTES = 8 * 1024 * 1024;

/** How much smaller each new first page is. */
const PAGE_SIZE_DIVISOR = 4;

/** The page size `context` asks for (config `page_size`), or undefined when it sets none. */
export function pageSizeOf(context: StreamContext): number | undefined {
  const size = (context.config as { page_size?: unknown } | undefined)?.page_size;
  return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size : undefined;
}

/** `context` asking for `pageSize` rows per page. */
export function withPageSize(context: StreamContext, pageSize: number): StreamContext {
  return { ...context, config: { ...(context.config as Record<string, unknown> | undefined), page_size: pageSize } };
}

/** What a stream reads its pages through: SimpleRetriever or a custom retriever. */
export interface Retriever {
  /** Yields every page of every partition, in order. */
  read(context: StreamContext): AsyncGenerator<Page>;
}

export class SimpleRetriever implements Retriever {
  /** The smallest page size a walk of each context had to settle on (large rows). */
  private readonly settled = new WeakMap<StreamContext, number>();

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
   * `startsWalk` says that `startUrl` begins a walk (a delta link) rather than continuing one,
   * so that its first page may be asked again with fewer rows.
   */
  async *pages(context: StreamContext, startUrl?: string, extra?: RequestExtras, startsWalk = startUrl === undefined): AsyncGenerator<Page> {
    // Its own loop detection: another walk of this retriever may be reading at the same time.
    const paginator = this.paginator.fresh();
    let url = startUrl;
    const configured = pageSizeOf(context);
    // Walks that share a context (the partitions of one stream) start at the size another settled on.
    let pageSize = (configured !== undefined && this.settled.get(context)) || configured;
    let walkContext = pageSize === configured ? context : withPageSize(context, pageSize as number);
    let first = startsWalk;
    // The page held in memory (http/page-slots.ts): given back once the caller asks for the next page, having written this one, or stops.
    let release: (() => void) | undefined;
    try {
      for (;;) {
        release?.();
        release = undefined;
        const mayShrink = first && pageSize !== undefined && pageSize > 1;
        let result: HttpResult;
        try {
          result = await this.requester.send(walkContext, url, { ...extra, holdPage: true, ...(mayShrink ? { firstPageBytes: pageSize === configured ? FIRST_PAGE_BYTES : SMALLER_PAGE_BYTES } : {}) });
        } catch (err) {
          if (!mayShrink || !(err instanceof PageTooLargeError)) throw err;
          const smaller = Math.max(1, Math.floor((pageSize as number) / PAGE_SIZE_DIVISOR));
          this.requester.log('INFO', `the first page of ${err.what} passed ${Math.round(err.limitBytes / (1024 * 1024))} MB at ${pageSize} rows per page (large rows); asking again with ${smaller} rows per page`);
          pageSize = smaller;
          walkContext = withPageSize(context, pageSize);
          this.settled.set(context, Math.min(pageSize, this.settled.get(context) ?? pageSize));
          continue;
        }
        first = false;
        release = result.release;
        const response: PageResponse = { url: result.url, body: result.body, headers: result.headers };
        const records = this.selector.select(result.body);
        const next = paginator.next(response, records);
        // A page whose link may not be followed is refused whole: nothing of it is handed out.
        if (next !== undefined) this.requester.checkFollowable(walkContext, next);
        yield { records, response, context: walkContext, ...(pageSize !== configured ? { pageSize } : {}) };
        if (next === undefined) return;
        url = next;
      }
    } finally {
      release?.();
    }
  }
}
