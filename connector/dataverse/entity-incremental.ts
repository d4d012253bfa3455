/**
 * Incremental reads of entity streams. Where the entity has change tracking: `Prefer:
 * odata.track-changes`, the delta token of the last page as state, deleted rows as records with
 * `_ab_cdc_deleted_at`. Elsewhere: a `modifiedon ge <cursor>` filter in modifiedon order, the
 * cursor advancing at each page boundary (inclusive, so a boundary row may repeat, never vanish).
 * An expired or unusable token falls back to a full resync, said in a LOG message.
 */
import { DataverseError, ResponseError } from '../errors';
import type { IncrementalReadArgs, IncrementalSync } from '../streams/incremental';
import type { Page } from '../streams/retriever';
import type { StreamContext, StreamEvent, StreamRecord } from '../streams/types';
import type { EntityPartition } from './entity-components';

const TRACK_CHANGES = { Prefer: 'odata.track-changes' };
/** ExpiredVersionStamp: the delta token is older than the org keeps changes. */
const EXPIRED_TOKEN_CODE = '0x80044352';

export class DataverseIncrementalSync implements IncrementalSync {
  readonly cursorField: string[];

  constructor(
    cursorField: string,
    private readonly now: () => number,
  ) {
    this.cursorField = [cursorField];
  }

  async *read(args: IncrementalReadArgs): AsyncGenerator<StreamEvent> {
    for (const context of await args.retriever.partitions(args.context)) {
      const partition = context.stream_partition as EntityPartition;
      if (partition.change_tracking) yield* this.readChanges(args, context, partition);
      else yield* this.readByCursor(args, context, partition);
    }
  }

  private async *readByCursor(args: IncrementalReadArgs, context: StreamContext, partition: EntityPartition): AsyncGenerator<StreamEvent> {
    const field = this.cursorField[0];
    let cursor = typeof args.state?.[field] === 'string' ? (args.state[field] as string) : undefined;
    if (cursor !== undefined && Number.isNaN(Date.parse(cursor))) {
      throw new ResponseError(`the state of ${partition.entity} holds ${field} "${cursor}", which is not a date-time`);
    }
    const parameters: Record<string, string> = { $orderby: `${field} asc,${partition.primary_key} asc` };
    if (cursor) parameters.$filter = `${field} ge ${cursor}`;
    for await (const page of args.retriever.pages(context, undefined, { parameters })) {
      args.transform(page.records, context);
      for (const record of page.records) {
        const value = record[field];
        if (typeof value === 'string' && (cursor === undefined || Date.parse(value) > Date.parse(cursor))) cursor = value;
      }
      yield { kind: 'records', records: page.records };
      yield { kind: 'checkpoint', state: cursor === undefined ? {} : { [field]: cursor } };
    }
  }

  private async *readChanges(args: IncrementalReadArgs, context: StreamContext, partition: EntityPartition): AsyncGenerator<StreamEvent> {
    const token = typeof args.state?.deltatoken === 'string' ? args.state.deltatoken : undefined;
    const resume = typeof args.state?.resume_link === 'string' ? args.state.resume_link : undefined;
    const start = resume ?? (token ? args.retriever.requester.urlFor(context, partition.entity_set, { $select: partition.select, $deltatoken: token }) : undefined);
    try {
      yield* this.pagesOfChanges(args, context, partition, start, token);
    } catch (err) {
      if (start === undefined || !(err instanceof DataverseError) || !isUnusableToken(err)) throw err;
      yield {
        kind: 'log',
        level: 'WARN',
        message: `${partition.entity}: the saved ${resume ? 'page link' : 'delta token'} cannot be used any more (${err.code ?? `HTTP ${err.status}`}); reading the whole table again`,
      };
      yield* this.pagesOfChanges(args, context, partition, undefined, undefined);
    }
  }

  private async *pagesOfChanges(
    args: IncrementalReadArgs,
    context: StreamContext,
    partition: EntityPartition,
    start: string | undefined,
    token: string | undefined,
  ): AsyncGenerator<StreamEvent> {
    let current = token;
    for await (const page of args.retriever.pages(context, start, { headers: TRACK_CHANGES })) {
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
