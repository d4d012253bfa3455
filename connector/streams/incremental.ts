/** The contract between a DeclarativeStream and its incremental_sync component. */
import type { SimpleRetriever } from './retriever';
import type { StreamContext, StreamEvent, StreamRecord } from './types';

export interface IncrementalReadArgs {
  /** The stream's base context (config, parameters). */
  context: StreamContext;
  /** The stream's saved state, or undefined for a first sync. */
  state: Record<string, unknown> | undefined;
  retriever: SimpleRetriever;
  /** Applies the stream's transformations to rows read from the service. */
  transform(records: StreamRecord[], context: StreamContext): void;
}

/** Reads a stream incrementally; every checkpoint it yields covers exactly the records yielded before it. */
export interface IncrementalSync {
  readonly cursorField: string[];
  read(args: IncrementalReadArgs): AsyncGenerator<StreamEvent>;
}
