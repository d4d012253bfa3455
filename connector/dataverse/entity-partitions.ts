/**
 * Partitioned reads of entity streams (the planner side of streams/partitions.ts).
 *
 * Full refresh: two one-row requests take the bounds of `createdon` (earliest and latest row by
 * `$orderby=createdon asc|desc`, `createdon ne null`); the span is cut into ranges, more than
 * workers (4 per worker) so that a skewed table still spreads, plus one partition for rows whose
 * `createdon` is null. Each partition is the stream's ordinary read (same `$select`, page size,
 * annotations, $batch for long URLs) with one `$filter` more, through SimpleRetriever.pages.
 *
 * First incremental sync of a change-tracked table: the same data partitions, read without
 * change tracking, and first in the plan a narrow change-tracking pass (`Prefer:
 * odata.track-changes`, `$select=<primary key>`, 5,000 rows a page) whose last deltaLink token is
 * the stream's state. Its first page is read while planning, before any data partition can send
 * a request (and the scheduler holds the data partitions until the pass's next page is in). A
 * paged tracking read is one snapshot, fixed by its first request (the paging cookie carries it,
 * as for the SDK's RetrieveEntityChanges) [INF, facts §6: the deltaLink comes on the last page].
 * The token thus names a version from before every data request: a change made while the data
 * read ran is after that version, so the next delta returns it again, whether or not the data
 * read saw it; the next delta repeats, never misses. A resumed pass continues at its saved link,
 * whose cookie keeps the snapshot; without one (killed before its first STATE) no data was read
 * yet, so starting it again is as safe.
 *
 * Anything else reads sequentially as before (the planner answers undefined): one worker, a
 * table without `createdon`, an estimate under four pages, a later delta, a table without change
 * tracking for an incremental read, change tracking refused (403, with the existing fallback to
 * the cursor), or a table whose `createdon` is null everywhere.
 */
import { ConfigError, DataverseError, ResponseError } from '../errors';
import type { PartitionPage, PartitionPlan, PartitionPlanner, PartitionRequest, ReadPartition } from '../streams/partitions';
import { pageSizeOf, withPageSize, type SimpleRetriever } from '../streams/retriever';
import type { StreamContext } from '../streams/types';
import type { EntityPartition } from './entity-components';
import { TOKEN_PASS_PAGE_SIZE, TRACK_CHANGES, tokenOf } from './entity-incremental';
import type { EntityMetadataProvider } from './entity-metadata';
import { CHANGES_KEY, cutRanges, filterOf, keyOf, parseKey, type CreatedRange, type PartitionSpec } from './entity-partition-keys';
import { columnsOf } from './entity-schema';
import { deltaTokenProblem } from './change-tracking-state';

/**
 * Under this many estimated pages a table is read sequentially: every partition costs at least
 * one request, and the bounds two more, so a small table would cost more requests than it has
 * pages for little or no gain.
 */
export const MIN_PAGES = 4;
/** Ranges per worker: a worker done with a sparse range takes the next, so skew still balances. */
export const RANGES_PER_WORKER = 4;
/** At most this many ranges (each is a key in the state and at least one request). */
export const MAX_RANGES = 64;
const CREATED = 'createdon';
/** The manifest's cursor field: without it, a change's time is when the read saw it (as sequentially). */
const CURSOR_COLUMN = 'modifiedon';
const DEFAULT_PAGE_SIZE = 5000;

/** The stream's one entity partition (router output) and its read context. */
interface Target {
  context: StreamContext;
  partition: EntityPartition;
}

export interface EntityPartitionOptions {
  inner: SimpleRetriever;
  now: () => number;
  /** The entity metadata: whether the table has `createdon`, and its row estimate. */
  metadata?: EntityMetadataProvider;
}

export class EntityPartitionPlanner implements PartitionPlanner {
  constructor(private readonly options: EntityPartitionOptions) {}

  async planPartitions(request: PartitionRequest): Promise<PartitionPlan | undefined> {
    if (request.workers < 2) return undefined;
    const target = await this.target(request.context);
    if (!target) return undefined;
    const incremental = request.syncMode === 'incremental';
    if (incremental && (!target.partition.change_tracking || hasSavedState(target.context))) return undefined;
    const size = await this.size(target);
    if (!size) return undefined;
    const { inner } = this.options;
    const pass = incremental ? await startPass(inner, target) : undefined;
    if (incremental && !pass) return undefined;
    const bounds = await createdBounds(inner, target);
    if (!bounds) return undefined;
    const ranges = cutRanges(bounds.min, bounds.max, rangeCount(request.workers, size.pages));
    if (ranges.length < 2) return undefined;
    return this.plan(request, target, [...(pass ? [pass] : []), ...ranges, { kind: 'null' }]);
  }

  async restorePartitions(request: PartitionRequest, keys: readonly string[]): Promise<PartitionPlan> {
    const target = await this.target(request.context);
    if (!target) throw new Error('a partitioned entity stream has no single entity partition to resume');
    if (new Set(keys).size !== keys.length) throw new ConfigError('the saved partitions of a stream repeat a key: start from a state printed by this connector, or from none');
    const specs = keys.map(parseKey);
    if (request.syncMode !== 'incremental' && specs.some((spec) => spec.kind === 'changes')) {
      throw new ConfigError('the saved partitions hold a change-tracking pass, which a full refresh never has: start from a state printed by this connector, or from none');
    }
    return this.plan(request, target, specs);
  }

  private plan(request: PartitionRequest, target: Target, specs: PartitionSpec[]): PartitionPlan {
    const incremental = request.syncMode === 'incremental';
    const stamp = incremental && !hasColumn(target.partition, CURSOR_COLUMN) ? this.options.now : undefined;
    const partitions = specs.map((spec): ReadPartition => (spec.kind === 'changes' ? new ChangesPass(this.options.inner, target, spec) : new CreatedPartition(this.options.inner, target, spec, request, stamp)));
    return { partitions, finalState: (results) => (incremental ? deltaState(target.partition, results) : {}) };
  }

  private async target(context: StreamContext): Promise<Target | undefined> {
    const contexts = await this.options.inner.partitions(context);
    if (contexts.length !== 1) return undefined;
    return { context: contexts[0], partition: contexts[0].stream_partition as EntityPartition };
  }

  /** The estimated pages of a table worth cutting; undefined when it has no `createdon` or is small. */
  private async size(target: Target): Promise<{ pages?: number } | undefined> {
    const { metadata } = this.options;
    // Without metadata the selected columns are all that is known: createdon among them or no split.
    if (!metadata) return hasColumn(target.partition, CREATED) ? {} : undefined;
    const info = await metadata.entity(target.context, target.partition.entity);
    if (!columnsOf(info).some((c) => c.property === CREATED)) return undefined;
    const estimate = await metadata.estimate(target.context, target.partition.entity);
    if (estimate === undefined) return {};
    const pages = Math.ceil(estimate / (pageSizeOf(target.context) ?? DEFAULT_PAGE_SIZE));
    return pages < MIN_PAGES ? undefined : { pages };
  }
}

/**
 * Ranges for `workers`: 4 each, at least 2, at most {@link MAX_RANGES}, and no more than twice the
 * estimated pages: a range averages half a page or more, so a partitioned read costs at most
 * about three times the requests of a sequential one, and ranges cut evenly in time still
 * balance when rows are denser in the middle of the span than at its ends (as they usually are).
 */
export function rangeCount(workers: number, pages: number | undefined): number {
  return Math.max(2, Math.min(MAX_RANGES, workers * RANGES_PER_WORKER, (pages ?? Infinity) * 2));
}

/** A data partition: the stream's read of one `createdon` range, or of the rows without one. */
class CreatedPartition implements ReadPartition {
  readonly key: string;
  readonly emits = true;

  constructor(
    private readonly inner: SimpleRetriever,
    private readonly target: Target,
    private readonly spec: CreatedRange | { kind: 'null' },
    private readonly request: PartitionRequest,
    private readonly stamp: (() => number) | undefined,
  ) {
    this.key = keyOf(spec);
  }

  async *pages(resumeLink?: string, pageSize?: number): AsyncGenerator<PartitionPage> {
    const extra = { parameters: { $filter: filterOf(this.spec) } };
    const context = pageSize === undefined ? this.target.context : withPageSize(this.target.context, pageSize);
    for await (const page of this.inner.pages(context, resumeLink, extra)) {
      this.request.transform(page.records, page.context ?? this.target.context);
      if (this.stamp) {
        const seenAt = new Date(this.stamp()).toISOString();
        for (const row of page.records) row._ab_cdc_updated_at = seenAt;
      }
      yield { records: page.records, next: linkOf(page.response?.body, '@odata.nextLink'), ...(page.pageSize === undefined ? {} : { pageSize: page.pageSize }) };
    }
  }
}

/** The narrow change-tracking pass: no records, its deltaLink token as result. */
class ChangesPass implements ReadPartition {
  readonly key: string;
  readonly emits = false;

  constructor(
    private readonly inner: SimpleRetriever,
    private readonly target: Target,
    private readonly spec: Extract<PartitionSpec, { kind: 'changes' }>,
  ) {
    this.key = keyOf(spec);
  }

  async *pages(resumeLink?: string, pageSize?: number): AsyncGenerator<PartitionPage> {
    const start = this.spec.start;
    if (resumeLink === undefined && start && 'deltatoken' in start) {
      yield { records: [], result: { deltatoken: start.deltatoken } };
      return;
    }
    const from = resumeLink ?? (start && 'link' in start ? start.link : undefined);
    const { partition } = this.target;
    for await (const page of this.inner.pages(narrowContext(this.target, partition.primary_key, pageSize ?? TOKEN_PASS_PAGE_SIZE), from, { headers: TRACK_CHANGES })) {
      const delta = linkOf(page.response?.body, '@odata.deltaLink');
      if (delta !== undefined) {
        yield { records: [], result: { deltatoken: tokenOf(delta, partition, page.response?.url ?? delta) } };
        return;
      }
      const next = linkOf(page.response?.body, '@odata.nextLink');
      if (next === undefined) throw new ResponseError(`${partition.entity}: the last page of the change-tracking pass has no @odata.deltaLink, so the sync has no delta token to end with`);
      yield { records: [], next, ...(page.pageSize === undefined ? {} : { pageSize: page.pageSize }) };
    }
  }
}

/**
 * Reads the first page of the pass (a probe as well: a refused or unavailable change tracking,
 * a 4xx, leaves the stream to the sequential read and its fallbacks). The spec continues after it.
 */
async function startPass(inner: SimpleRetriever, target: Target): Promise<PartitionSpec | undefined> {
  const pages = inner.pages(narrowContext(target, target.partition.primary_key, TOKEN_PASS_PAGE_SIZE), undefined, { headers: TRACK_CHANGES });
  let first;
  try {
    first = (await pages.next()).value;
  } catch (err) {
    if (err instanceof DataverseError && err.status >= 400 && err.status < 500 && err.status !== 429) return undefined;
    throw err;
  } finally {
    await pages.return(undefined);
  }
  const body = first?.response?.body as Record<string, unknown> | undefined;
  if (!body || !Array.isArray(body.value)) throw new ResponseError(`${target.partition.entity}: a change-tracking page holds no "value" list`);
  const delta = linkOf(body, '@odata.deltaLink');
  if (delta !== undefined) return { kind: 'changes', start: { deltatoken: tokenOf(delta, target.partition, first?.response?.url ?? delta) } };
  const next = linkOf(body, '@odata.nextLink');
  return next === undefined ? undefined : { kind: 'changes', start: { link: next } };
}

/** The earliest and latest non-null `createdon`, one row each; undefined when no row has one. */
async function createdBounds(inner: SimpleRetriever, target: Target): Promise<{ min: number; max: number } | undefined> {
  const context = narrowContext(target, `${target.partition.primary_key},${CREATED}`, 1);
  const min = await boundOf(inner, target, context, 'asc');
  if (min === undefined) return undefined;
  const max = await boundOf(inner, target, context, 'desc');
  // Deleted between the two requests: the span is the one row's.
  return { min, max: max === undefined ? min : Math.max(min, max) };
}

async function boundOf(inner: SimpleRetriever, target: Target, context: StreamContext, direction: 'asc' | 'desc'): Promise<number | undefined> {
  // $top=1 and a page size of 1: the service ignores $top next to odata.maxpagesize (facts §5).
  const parameters = { $filter: `${CREATED} ne null`, $orderby: `${CREATED} ${direction}`, $top: 1 };
  const { body } = await inner.request(context, undefined, { parameters });
  const rows = (body as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(rows)) throw new ResponseError(`${target.partition.entity}: the answer to the ${CREATED} bound request holds no "value" list`);
  if (rows.length === 0) return undefined;
  const value = (rows[0] as Record<string, unknown> | null)?.[CREATED];
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new ResponseError(`${target.partition.entity}: the ${direction === 'asc' ? 'earliest' : 'latest'} row by ${CREATED} holds no ${CREATED} date`);
  return ms;
}

/** The context of a request for `select` alone, without annotations, `pageSize` rows a page. */
function narrowContext(target: Target, select: string, pageSize: number): StreamContext {
  const partition = { ...target.partition, select, include_annotations: '' };
  const config = { ...(target.context.config as Record<string, unknown>), page_size: pageSize, formatted_values: false };
  return { ...target.context, config, stream_partition: partition, stream_slice: partition };
}

/** The final state of a first change-tracked sync: the pass's token. */
function deltaState(partition: EntityPartition, results: ReadonlyMap<string, Record<string, unknown>>): Record<string, unknown> {
  for (const [key, result] of results) {
    if (key !== CHANGES_KEY) continue;
    const problem = deltaTokenProblem(result.deltatoken);
    if (problem) throw new ConfigError(`${partition.entity}: the delta token of the change-tracking pass ${problem}: start from a state printed by this connector, or from none`);
    return { deltatoken: result.deltatoken };
  }
  throw new Error(`${partition.entity}: a partitioned first sync ended without the change-tracking pass's result`);
}

function linkOf(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function hasColumn(partition: EntityPartition, column: string): boolean {
  return partition.select.split(',').includes(column);
}

/** A state from an earlier sync: the read is a delta (or a cursor read), never a first sync. */
function hasSavedState(context: StreamContext): boolean {
  const state = context.stream_state as Record<string, unknown> | undefined;
  return state !== undefined && ['deltatoken', 'resume_link', CURSOR_COLUMN].some((key) => state[key] !== undefined);
}
