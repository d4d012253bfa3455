/**
 * The retriever of entity streams: a SimpleRetriever for full refresh, and for incremental reads
 * Dataverse change tracking where the entity has it: `Prefer: odata.track-changes`, the delta
 * token of the last page as state, deleted rows as records with `_ab_cdc_deleted_at`. Entities
 * without change tracking use the stream's datetime cursor (`modifiedon ge`). An expired or
 * unusable token falls back to a full resync, said in a LOG message.
 *
 * Fallbacks for what a real org does (facts §9):
 * - A no-change delta may be an empty body `{}`: the saved token stays.
 * - Change tracking refused with 403 while a plain read works (the role reads the table below
 *   organization level): the read goes by the `modifiedon` cursor, said in a WARN LOG, and the
 *   state takes the cursor form; later reads with that state stay cursor reads.
 * - Neither change tracking nor `modifiedon`: full refresh only (incrementalSupport).
 * - A last page without its deltaLink (reported with FormattedValue annotations): the state is a
 *   token taken before the data read began (see `tokenPass`).
 */
import { ConfigError, DataverseError, ResponseError } from '../errors';
import { linkProblem } from '../http/links';
import type { PartitionPlan, PartitionPlanner, PartitionRequest } from '../streams/partitions';
import type { IncrementalReadBase, IncrementalRetriever, IncrementalSupport, IncrementalSupportReporter, IncrementalSync, StateCheckArgs } from '../streams/incremental';
import { withPageSize, type Page, type Retriever, type SimpleRetriever } from '../streams/retriever';
import type { StreamContext, StreamEvent, StreamRecord } from '../streams/types';
import type { EntityPartition } from './entity-components';
import { checkChangeTrackingState } from './change-tracking-state';

export const TRACK_CHANGES = { Prefer: 'odata.track-changes' };
/** ExpiredVersionStamp: the delta token is older than the org keeps changes. */
const EXPIRED_TOKEN_CODE = '0x80044352';
/** Rows a page of the key-only token pass asks for: the service's maximum. */
export const TOKEN_PASS_PAGE_SIZE = 5000;

/** What a key-only change-tracking pass found. */
type TokenPass = { kind: 'no-changes' } | { kind: 'token'; deltatoken: string | undefined; changes: number };

export class ChangeTrackingRetriever implements Retriever, IncrementalRetriever, IncrementalSupportReporter, PartitionPlanner {
  constructor(
    readonly inner: SimpleRetriever,
    private readonly now: () => number,
    /** Partitioned reads (entity-partitions.ts); without one, every read is sequential. */
    private readonly planner?: PartitionPlanner,
  ) {}

  read(context: StreamContext): AsyncGenerator<Page> {
    return this.inner.read(context);
  }

  /** A full refresh or first change-tracked sync in `createdon` ranges, or undefined (sequential). */
  planPartitions(request: PartitionRequest): Promise<PartitionPlan | undefined> {
    return this.planner ? this.planner.planPartitions(request) : Promise.resolve(undefined);
  }

  restorePartitions(request: PartitionRequest, keys: readonly string[]): Promise<PartitionPlan> {
    if (!this.planner) throw new Error('this entity stream was read in partitions, but its retriever has no partition planner');
    return this.planner.restorePartitions(request, keys);
  }

  /** Change tracking, else the cursor column; an entity with neither is full refresh only. */
  async incrementalSupport(context: StreamContext, cursor: IncrementalSync): Promise<IncrementalSupport> {
    const field = cursor.cursorField.join('.');
    let withoutCursor = false;
    for (const { stream_partition } of await this.inner.partitions(context)) {
      const partition = stream_partition as EntityPartition;
      if (hasColumn(partition, field)) continue;
      if (!partition.change_tracking) {
        return { unsupported: `table ${partition.entity} has neither change tracking nor a ${field} column, so its changes cannot be read (enable change tracking on the table to read it incrementally)` };
      }
      withoutCursor = true;
    }
    // Change tracking without modifiedon: the delta token is the cursor, no record field is.
    return { cursorField: withoutCursor ? [] : cursor.cursorField };
  }

  /**
   * Refuses a saved state this stream cannot have written (rules in change-tracking-state.ts);
   * a `resume_link` must lead to the entity set the stream reads, known from the entity metadata.
   */
  async checkState(args: StateCheckArgs, cursor: IncrementalSync): Promise<void> {
    await checkChangeTrackingState(args.state, cursor, async () =>
      (await this.inner.partitions(args.context)).map((context) => this.inner.urlFor(context, (context.stream_partition as EntityPartition).entity_set)),
    );
  }

  async *readIncremental(args: IncrementalReadBase, cursor: IncrementalSync): AsyncGenerator<StreamEvent> {
    const partitions = await this.inner.partitions(args.context);
    const tracked = partitions.filter((p) => (p.stream_partition as EntityPartition).change_tracking);
    if (tracked.length === 0 || isCursorState(args.state, cursor)) {
      yield* cursor.read({ ...args, retriever: this.inner });
      return;
    }
    if (tracked.length !== partitions.length) throw new Error('an entity stream mixes change-tracked and untracked partitions');
    for (const context of tracked) yield* this.readChanges(args, context, context.stream_partition as EntityPartition, cursor);
  }

  private async *readChanges(args: IncrementalReadBase, context: StreamContext, partition: EntityPartition, cursor: IncrementalSync): AsyncGenerator<StreamEvent> {
    const token = typeof args.state?.deltatoken === 'string' ? args.state.deltatoken : undefined;
    const resume = typeof args.state?.resume_link === 'string' ? args.state.resume_link : undefined;
    // A link saved by a walk that read fewer rows per page than configured (large rows) continues at that size.
    const resumeSize = resume !== undefined && typeof args.state?.page_size === 'number' ? args.state.page_size : undefined;
    let started = false;
    try {
      for await (const event of this.changes(args, resumeSize === undefined ? context : withPageSize(context, resumeSize), partition, cursor, token, resume)) {
        started = true;
        yield event;
      }
    } catch (err) {
      if (!(err instanceof DataverseError)) throw err;
      if (err.status === 403 && !started) {
        yield* this.withoutChangeTracking(args, context, partition, cursor, err);
        return;
      }
      if ((token === undefined && resume === undefined) || !isUnusableToken(err)) throw err;
      const what = resume ? 'page link' : 'delta token';
      const why = err.code === EXPIRED_TOKEN_CODE ? `has expired (${err.code})` : `was refused (HTTP ${err.status}${err.code ? `, ${err.code}` : ''})`;
      yield { kind: 'log', level: 'WARN', message: `${partition.entity}: the saved ${what} ${why}; reading the whole table again` };
      yield* this.changes(args, context, partition, cursor, undefined, undefined);
    }
  }

  /**
   * One change-tracking read: from a saved page link, from a saved token (a delta), or from the
   * start (the initial sync). A delta first walks the changes by key only (`tokenPass`): that
   * answers an empty-body no-change delta in one request, and holds a token from before the data
   * read for a last page that comes without its deltaLink. An initial sync walks the keys first
   * only when formatted values are asked for, the case the missing deltaLink was reported in.
   */
  private async *changes(
    args: IncrementalReadBase,
    context: StreamContext,
    partition: EntityPartition,
    cursor: IncrementalSync,
    token: string | undefined,
    resume: string | undefined,
  ): AsyncGenerator<StreamEvent> {
    // A resumed read began in an earlier run: a token taken now would postdate its first pages.
    if (resume !== undefined) {
      yield* this.pagesOfChanges(args, context, partition, cursor, { link: resume, resumed: true }, token);
      return;
    }
    let held = token;
    if (token !== undefined || wantsFormattedValues(context)) {
      const pass = await this.tokenPass(context, partition, token);
      if (pass.kind === 'no-changes') {
        yield { kind: 'checkpoint', state: { deltatoken: token } };
        return;
      }
      if (token !== undefined && pass.changes === 0 && pass.deltatoken !== undefined) {
        yield { kind: 'checkpoint', state: { deltatoken: pass.deltatoken } };
        return;
      }
      held = pass.deltatoken ?? token;
    }
    const start = token === undefined ? undefined : this.inner.urlFor(context, partition.entity_set, { $select: partition.select, $deltatoken: token });
    yield* this.pagesOfChanges(args, context, partition, cursor, start === undefined ? undefined : { link: start, resumed: false }, held);
  }

  /**
   * Walks a change-tracking read of the primary key alone, without annotations, 5,000 rows a
   * page: the cheapest request that ends in a deltaLink. Its token predates the data read that
   * follows, so it is a safe state: the next delta may repeat a change, never miss one (a token
   * taken after the data read would skip what changed during it). Only the first page of a delta
   * may be `{}`, the documented no-change answer; every other page must hold a `value` list.
   */
  private async tokenPass(context: StreamContext, partition: EntityPartition, token: string | undefined): Promise<TokenPass> {
    const keys = { ...partition, select: partition.primary_key, include_annotations: '' };
    const config = { ...(context.config as Record<string, unknown>), page_size: TOKEN_PASS_PAGE_SIZE, formatted_values: false };
    const keyContext: StreamContext = { ...context, config, stream_partition: keys, stream_slice: keys };
    let url = token === undefined ? undefined : this.inner.urlFor(keyContext, partition.entity_set, { $select: partition.primary_key, $deltatoken: token });
    let first: string | undefined;
    const seen = new Set<string>();
    let changes = 0;
    for (;;) {
      const result = await this.inner.request(keyContext, url, { headers: TRACK_CHANGES });
      first ??= result.url;
      const body = result.body;
      if (token !== undefined && seen.size === 0 && isEmptyObject(body)) return { kind: 'no-changes' };
      if (!isObject(body) || !Array.isArray(body.value)) throw new ResponseError(`${partition.entity}: a change-tracking page holds no "value" list`);
      changes += body.value.length;
      const delta = body['@odata.deltaLink'];
      if (typeof delta === 'string') return { kind: 'token', deltatoken: tokenOf(delta, partition, result.url), changes };
      const next = body['@odata.nextLink'];
      if (typeof next !== 'string') return { kind: 'token', deltatoken: undefined, changes };
      const problem = linkProblem(next, first);
      if (problem) throw new ResponseError(`${partition.entity}: a change-tracking nextLink ${problem}; the read stopped`);
      if (seen.has(next)) throw new ResponseError(`${partition.entity}: Dataverse returned the same change-tracking nextLink twice; the read stopped instead of looping`);
      seen.add(next);
      url = next;
    }
  }

  /**
   * The pages of a change-tracking read, from the first request, a delta link, or a saved link
   * (`resumed`). `held` is the newest token known to predate every page: checkpoints before the
   * last page carry it, and a last page without a deltaLink ends with it.
   */
  private async *pagesOfChanges(
    args: IncrementalReadBase,
    context: StreamContext,
    partition: EntityPartition,
    cursor: IncrementalSync,
    start: { link: string; resumed: boolean } | undefined,
    held: string | undefined,
  ): AsyncGenerator<StreamEvent> {
    const stamped = !hasColumn(partition, cursor.cursorField.join('.'));
    // A delta link begins a walk as much as the first request does; a saved link continues one.
    for await (const page of this.inner.pages(context, start?.link, { headers: TRACK_CHANGES }, !start?.resumed)) {
      const seenAt = new Date(this.now()).toISOString();
      const { rows, deletes } = this.split(page, partition, seenAt);
      args.transform(rows, context);
      // Without modifiedon, a change's time is when this read saw it, as for deleted rows.
      if (stamped) for (const row of rows) row._ab_cdc_updated_at = seenAt;
      yield { kind: 'records', records: rows.concat(deletes) };
      const body = page.response?.body as Record<string, unknown> | undefined;
      const next = body?.['@odata.nextLink'];
      const delta = body?.['@odata.deltaLink'];
      if (typeof delta === 'string') {
        yield { kind: 'checkpoint', state: { deltatoken: tokenOf(delta, partition, page.response?.url ?? delta) } };
      } else if (typeof next === 'string') {
        const size = page.pageSize === undefined ? {} : { page_size: page.pageSize };
        yield { kind: 'checkpoint', state: held ? { deltatoken: held, resume_link: next, ...size } : { resume_link: next, ...size } };
      } else if (held !== undefined) {
        yield {
          kind: 'log',
          level: 'WARN',
          message: `${partition.entity}: the last change-tracking page had no @odata.deltaLink; the state keeps a delta token taken before the read, so the next sync may repeat some changes`,
        };
        yield { kind: 'checkpoint', state: { deltatoken: held } };
      } else {
        throw new ResponseError(`${partition.entity}: the last page of a change-tracking read has no @odata.deltaLink, and no delta token from before the read is at hand`);
      }
    }
  }

  /**
   * A 403 on the first change-tracking request. A one-row plain read tells the two causes apart:
   * refused too, the role lacks the read privilege (its error is thrown, as without change
   * tracking); allowed, the role reads the table below organization level, which change tracking
   * needs (facts §9), and the read goes by the cursor column instead, from the start.
   */
  private async *withoutChangeTracking(
    args: IncrementalReadBase,
    context: StreamContext,
    partition: EntityPartition,
    cursor: IncrementalSync,
    refused: DataverseError,
  ): AsyncGenerator<StreamEvent> {
    const probe = { ...partition, select: partition.primary_key, include_annotations: '' };
    await this.inner.request({ ...context, config: { ...(context.config as Record<string, unknown>), page_size: 1 }, stream_partition: probe, stream_slice: probe });
    const field = cursor.cursorField.join('.');
    const why = `Dataverse refused change tracking on table ${partition.entity} (HTTP 403${refused.code ? `, ${refused.code}` : ''}): the application user's role reads the table below organization level, and change tracking (with deleted rows) needs organization-level read (setup step 3: the System Reader role has it)`;
    if (!hasColumn(partition, field)) throw new ConfigError(`${why}; the table has no ${field} column to read changes by instead`, { cause: refused });
    yield { kind: 'log', level: 'WARN', message: `${why}. Reading changes by ${field} instead; deleted rows are not seen` };
    yield* cursor.read({ ...args, state: undefined, retriever: this.inner });
  }

  /** Deleted rows come as `{"@odata.context": "...$deletedEntity", "id": ..., "reason": "deleted"}`. */
  private split(page: Page, partition: EntityPartition, seenAt: string): { rows: StreamRecord[]; deletes: StreamRecord[] } {
    const rows: StreamRecord[] = [];
    const deletes: StreamRecord[] = [];
    for (const record of page.records) {
      const context = record['@odata.context'];
      if (typeof context === 'string' && context.endsWith('$deletedEntity')) {
        if (typeof record.id !== 'string') throw new ResponseError(`${partition.entity}: a deleted-row entry without an id`);
        deletes.push({ [partition.primary_key]: record.id, _ab_cdc_deleted_at: seenAt, _ab_cdc_updated_at: seenAt });
      } else {
        rows.push(record);
      }
    }
    return { rows, deletes };
  }
}

/** A 4xx answer to a saved token or link: expired, garbled, or from another schema. */
function isUnusableToken(err: DataverseError): boolean {
  return err.code === EXPIRED_TOKEN_CODE || err.status === 400 || err.status === 404 || err.status === 410;
}

/** The token of a deltaLink, which must name the entity set the read asked (`requested`, the page's own URL). */
export function tokenOf(deltaLink: string, partition: EntityPartition, requested: string): string {
  const problem = linkProblem(deltaLink, requested);
  if (problem) throw new ResponseError(`${partition.entity}: the @odata.deltaLink ${problem}; the read stopped`);
  const token = new URL(deltaLink).searchParams.get('$deltatoken');
  if (!token) throw new ResponseError(`${partition.entity}: the deltaLink holds no $deltatoken`);
  return token;
}

function hasColumn(partition: EntityPartition, column: string): boolean {
  return partition.select.split(',').includes(column);
}

/** A state written by the cursor read (after a 403 fallback): it stays a cursor read. */
function isCursorState(state: Record<string, unknown> | undefined, cursor: IncrementalSync): boolean {
  return state !== undefined && typeof state[cursor.cursorField.join('.')] === 'string' && state.deltatoken === undefined && state.resume_link === undefined;
}

/** Whether the read asks for FormattedValue annotations (the manifest's `formatted_values`). */
function wantsFormattedValues(context: StreamContext): boolean {
  return (context.config as { formatted_values?: unknown } | undefined)?.formatted_values === true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}
