/**
 * DatetimeBasedCursor for OData sources: the cursor bound goes into `$filter` as
 * `<field> ge <cursor>` with rows ordered by the cursor then the key, so each page boundary is a
 * safe checkpoint. The bound is inclusive: a row on the boundary may be emitted twice, never lost.
 */
import { ResponseError } from '../errors';
import type { IncrementalReadArgs, IncrementalSync } from './incremental';
import type { StreamEvent } from './types';

export class ODataDatetimeCursor implements IncrementalSync {
  readonly cursorField: string[];

  constructor(
    private readonly field: string,
    /** The lower bound of a first sync (DatetimeBasedCursor.start_datetime). */
    private readonly startDatetime: string | undefined,
  ) {
    this.cursorField = [field];
  }

  async *read(args: IncrementalReadArgs): AsyncGenerator<StreamEvent> {
    const field = this.field;
    let cursor = typeof args.state?.[field] === 'string' ? (args.state[field] as string) : this.startDatetime;
    if (cursor !== undefined && Number.isNaN(Date.parse(cursor))) {
      throw new ResponseError(`the state holds ${field} "${cursor}", which is not a date-time: start from a state printed by this connector`);
    }
    for (const context of await args.retriever.partitions(args.context)) {
      const key = (context.stream_partition as { primary_key?: string }).primary_key;
      const parameters: Record<string, string> = { $orderby: key ? `${field} asc,${key} asc` : `${field} asc` };
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
  }
}
