/** The shapes shared by the stream components. */

/** One row as it will be emitted in a RECORD's `data`. */
export type StreamRecord = Record<string, unknown>;

/** What a template sees while a stream is read (Airbyte's interpolation variables). */
export type StreamContext = Record<string, unknown>;

/** A parsed page: the response body and headers as the paginator and selector see them. */
export interface PageResponse {
  url: string;
  body: unknown;
  headers: Headers;
}

/** What a stream read yields: a page of records, or a checkpoint covering every record yielded before it. */
export type StreamEvent =
  | { kind: 'records'; records: StreamRecord[] }
  | { kind: 'checkpoint'; state: Record<string, unknown> }
  | { kind: 'log'; level: 'INFO' | 'WARN'; message: string };

/** Changes a record after selection (AddFields, annotation stripping, ...). */
export interface RecordTransformation {
  /** Optional once-per-read work before the first record, e.g. a lookup request. */
  prepare?(context: StreamContext): Promise<void>;
  /** Changes the record in place, or returns a new record to replace it (cheaper than deleting many keys). */
  transform(record: StreamRecord, context: StreamContext): StreamRecord | void;
}

/**
 * Whether a rendered condition holds (stop_condition, AddFields.condition). A mixed template
 * renders booleans as Jinja's `True`/`False`, so the string "False" is false too.
 */
export function isTrue(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value) && value !== 'False' && value !== 'false';
}
