/** The contract between a DeclarativeStream and its incremental_sync component. */
import type { SimpleRetriever } from './retriever';
import type { StreamContext, StreamEvent, StreamRecord } from './types';

/** What a stream hands to whatever reads it incrementally. */
export interface IncrementalReadBase {
  /** The stream's base context (config, parameters). */
  context: StreamContext;
  /** The stream's saved state, or undefined for a first sync. */
  state: Record<string, unknown> | undefined;
  /** Applies the stream's transformations to rows read from the service. */
  transform(records: StreamRecord[], context: StreamContext): void;
}

export interface IncrementalReadArgs extends IncrementalReadBase {
  retriever: SimpleRetriever;
}

/** Reads a stream incrementally; every checkpoint it yields covers exactly the records yielded before it. */
export interface IncrementalSync {
  readonly cursorField: string[];
  read(args: IncrementalReadArgs): AsyncGenerator<StreamEvent>;
}

/** A retriever with its own incremental protocol (e.g. change tracking), given the stream's cursor to fall back on. */
export interface IncrementalRetriever {
  readIncremental(args: IncrementalReadBase, cursor: IncrementalSync): AsyncGenerator<StreamEvent>;
}

export function isIncrementalRetriever(value: unknown): value is IncrementalRetriever {
  return typeof (value as Partial<IncrementalRetriever>)?.readIncremental === 'function';
}
