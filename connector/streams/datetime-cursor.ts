/**
 * DatetimeBasedCursor: reads rows from the cursor bound on, ordered by the cursor, so each page
 * boundary is a safe checkpoint. The bound is inclusive: a row on the boundary may be emitted
 * twice, never lost. How the bound and the order go into a request is the service's query language
 * (OData's `$filter` for Dataverse), given as a {@link CursorQuery} by whoever builds the cursor.
 *
 * A cursor value comes from a state file or from a row, so it is never handed on as text: it is
 * parsed into an instant the query renders its literal from (`null or x ne 1` cannot become part
 * of a filter), and a row value that is not a date-time never becomes the cursor.
 */
import { quote } from '../config/quote';
import { ConfigError } from '../errors';
import type { IncrementalReadArgs, IncrementalSync } from './incremental';
import { unknownStateKeys } from './state-keys';
import type { StreamContext, StreamEvent } from './types';

/** ISO 8601 date-time with seconds, an optional fraction (Dataverse sends up to 7 digits) and Z or an offset. */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * The instant (epoch ms) an ISO 8601 date-time names, or undefined when `text` is not one: the
 * form must match exactly and every field be in range (no February 30th, no hour 24).
 * Digits past the millisecond are dropped, which lowers an inclusive bound: never a lost row.
 */
export function parseDateTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const check = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  // Set apart: Date.UTC maps years 0-99 to 1900-1999. A field that rolled over was out of range.
  check.setUTCFullYear(year, month - 1, day);
  const local = check.getTime();
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) return undefined;
  if (m[8] === 'Z') return local;
  const offsetHours = Number(m[10]);
  const offsetMinutes = Number(m[11]);
  if (offsetHours > 14 || offsetMinutes > 59) return undefined;
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return local - offset;
}

/** The request parameters that ask a service for the rows of one partition from a bound on, in cursor order. */
export interface CursorQuery {
  /**
   * `bound` is the instant (epoch ms) the read starts from, inclusive, or undefined for a first
   * sync without start_datetime; `partition` is the context of the partition being read.
   */
  parameters(field: string, bound: number | undefined, partition: StreamContext): Record<string, string>;
}

export class DatetimeCursor implements IncrementalSync {
  readonly cursorField: string[];

  constructor(
    private readonly field: string,
    /** The lower bound of a first sync (DatetimeBasedCursor.start_datetime). */
    private readonly startDatetime: string | undefined,
    private readonly query: CursorQuery,
  ) {
    this.cursorField = [field];
    if (startDatetime !== undefined && parseDateTime(startDatetime) === undefined) {
      throw new Error(`start_datetime ${quote(startDatetime)} is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z`);
    }
  }

  /** A saved state holds the cursor field only, an ISO 8601 date-time; throws a ConfigError saying what is wrong. */
  checkState(state: Record<string, unknown>): void {
    const unknown = unknownStateKeys(state, this.cursorField);
    if (unknown) throw new ConfigError(`stream_state holds ${unknown}, which this stream never writes (it keeps only ${this.field}): start from a state printed by this connector`);
    this.savedCursor(state);
  }

  /** The saved cursor, validated, or undefined when the state has none. */
  private savedCursor(state: Record<string, unknown> | undefined): { text: string; ms: number } | undefined {
    const value = state?.[this.field];
    if (value === undefined) return undefined;
    const ms = parseDateTime(value);
    if (ms === undefined) {
      const found = typeof value === 'string' ? quote(value) : JSON.stringify(value)?.slice(0, 60);
      throw new ConfigError(`${this.field} ${found} is not an ISO 8601 date-time such as 2024-01-01T00:00:00Z: start from a state printed by this connector`);
    }
    return { text: value as string, ms };
  }

  async *read(args: IncrementalReadArgs): AsyncGenerator<StreamEvent> {
    const field = this.field;
    const saved = this.savedCursor(args.state);
    let cursor = saved ?? (this.startDatetime === undefined ? undefined : { text: this.startDatetime, ms: parseDateTime(this.startDatetime) as number });
    // The bound of every partition is where the read started, however far the rows move the cursor.
    const bound = cursor?.ms;
    for (const context of await args.retriever.partitions(args.context)) {
      const parameters = this.query.parameters(field, bound, context);
      for await (const page of args.retriever.pages(context, undefined, { parameters })) {
        args.transform(page.records, context);
        for (const record of page.records) {
          const value = record[field];
          const ms = parseDateTime(value);
          if (ms !== undefined && (cursor === undefined || ms > cursor.ms)) cursor = { text: value as string, ms };
        }
        yield { kind: 'records', records: page.records };
        yield { kind: 'checkpoint', state: cursor === undefined ? {} : { [field]: cursor.text } };
      }
    }
  }
}
