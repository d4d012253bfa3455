/**
 * The retriever of entity streams: a SimpleRetriever for full refresh, and for incremental reads
 * Dataverse change tracking where the entity has it: `Prefer: odata.track-changes`, the delta
 * token of the last page as state, deleted rows as records with `_ab_cdc_deleted_at`. Entities
 * without change tracking use the stream's datetime cursor (`modifiedon ge`). An expired or
 * unusable token falls back to a full resync, said in a LOG message.
 */
import { DataverseError, ResponseError } from '../errors';
import type { IncrementalReadBase, IncrementalRetriever, IncrementalSync, StateCheckArgs } from '../streams/incremental';
import type { Page, Retriever, SimpleRetriever } from '../streams/retriever';
import type { StreamContext, StreamEvent, StreamRecord } from '../streams/types';
import type { EntityPartition } from './entity-components';
import { checkChangeTrackingState } from './change-tracking-state';

const TRACK_CHANGES = { Prefer: 'odata.track-changes' };
/** ExpiredVersionStamp: the delta token is older than the org keeps changes. */
const EXPIRED_TOKEN_CODE = '0x80044352';

export class ChangeTrackingRetriever implements Retriever, IncrementalRetriever {
  constructor(
    readonly inner: SimpleRetriever,
    private readonly now: () => number,
  ) {}

  read(context: StreamContext): AsyncGenerator<Page> {
    return this.inner.read(context);
  }

  /**
   * Refuses a saved state this stream cannot have written (rules in change-tracking-state.ts);
   * a `resume_link` must lead to the entity set the stream reads, known from the entity metadata.
   */
  async checkState(args: StateCheckArgs, cursor: IncrementalSync): Promise<void> {
    await checkChangeTrackingState(args.state, cursor, async () =>
      (await this.inner.partitions(args.context)).map((context) => this.inner.requester.urlFor(context, (context.stream_partition as EntityPartition).entity_set)),
    );
  }

  async *readIncremental(args: IncrementalReadBase, cursor: IncrementalSync): AsyncGenerator<StreamEvent> {
    const partitions = await this.inner.partitions(args.context);
    const tracked = partitions.filter((p) => (p.stream_partition as EntityPartition).change_tracking);
    if (tracked.length === 0) {
      yield* cursor.read({ ...args, retriever: this.inner });
      return;
    }
    if (tracked.length !== partitions.length) throw new Error('an entity stream mixes change-tracked and untracked partitions');
    for (const context of tracked) yield* this.readChanges(args, context, context.stream_partition as EntityPartition);
  }

  private async *readChanges(args: IncrementalReadBase, context: StreamContext, partition: EntityPartition): AsyncGenerator<StreamEvent> {
    const token = typeof args.state?.deltatoken === 'string' ? args.state.deltatoken : undefined;
    const resume = typeof args.state?.resume_link === 'string' ? args.state.resume_link : undefined;
    const start = resume ?? (token ? this.inner.requester.urlFor(context, partition.entity_set, { $select: partition.select, $deltatoken: token }) : undefined);
    try {
      yield* this.pagesOfChanges(args, context, partition, start, token);
    } catch (err) {
      if (start === undefined || !(err instanceof DataverseError) || !isUnusableToken(err)) throw err;
      const what = resume ? 'page link' : 'delta token';
      const why = err.code === EXPIRED_TOKEN_CODE ? `has expired (${err.code})` : `was refused (HTTP ${err.status}${err.code ? `, ${err.code}` : ''})`;
      yield { kind: 'log', level: 'WARN', message: `${partition.entity}: the saved ${what} ${why}; reading the whole table again` };
      yield* this.pagesOfChanges(args, context, partition, undefined, undefined);
    }
  }

  private async *pagesOfChanges(
    args: IncrementalReadBase,
    context: StreamContext,
    partition: EntityPartition,
    start: string | undefined,
    token: string | undefined,
  ): AsyncGenerator<StreamEvent> {
    let current = token;
    for await (const page of this.inner.pages(context, start, { headers: TRACK_CHANGES })) {
      const { rows, deletes } = this.split(page, partition);
      args.transform(rows, context);
      yield { kind: 'records', records: rows.concat(deletes) };
      const body = page.response?.body as Record<string, unknown> | undefined;
      const next = body?.['@odata.nextLink'];
      const delta = body?.['@odata.deltaLink'];
      if (typeof delta === 'string') {
        current = new URL(delta).searchParams.get('$deltatoken') ?? undefined;
        if (!current) throw new ResponseError(`${partition.entity}: the deltaLink holds no $deltatoken`);
        yield { kind: 'checkpoint', state: { deltatoken: current } };
      } else if (typeof next === 'string') {
        yield { kind: 'checkpoint', state: current ? { deltatoken: current, resume_link: next } : { resume_link: next } };
      } else {
        throw new ResponseError(`${partition.entity}: the last page of a change-tracking read has no @odata.deltaLink`);
      }
    }
  }

  /** Deleted rows come as `{"@odata.context": "...$deletedEntity", "id": ..., "reason": "deleted"}`. */
  private split(page: Page, partition: EntityPartition): { rows: StreamRecord[]; deletes: StreamRecord[] } {
    const rows: StreamRecord[] = [];
    const deletes: StreamRecord[] = [];
    const seenAt = new Date(this.now()).toISOString();
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
