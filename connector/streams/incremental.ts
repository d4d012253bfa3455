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

/** What a state check is given: the stream's base context (for metadata a rule may need) and the saved state. */
export interface StateCheckArgs {
  context: StreamContext;
  state: Record<string, unknown>;
}

/** Reads a stream incrementally; every checkpoint it yields covers exactly the records yielded before it. */
export interface IncrementalSync {
  readonly cursorField: string[];
  read(args: IncrementalReadArgs): AsyncGenerator<StreamEvent>;
  /**
   * Throws a ConfigError saying what is wrong when `state` is not one this component writes.
   * Called for every stream before the first record of any, so a broken state of the last
   * stream fails the sync before the first stream has synced.
   */
  checkState?(state: Record<string, unknown>): void | Promise<void>;
}

/** A retriever with its own incremental protocol (e.g. change tracking), given the stream's cursor to fall back on. */
export interface IncrementalRetriever {
  readIncremental(args: IncrementalReadBase, cursor: IncrementalSync): AsyncGenerator<StreamEvent>;
  /** As IncrementalSync.checkState, for the states this retriever writes and those of the cursor it falls back on. */
  checkState?(args: StateCheckArgs, cursor: IncrementalSync): Promise<void>;
}

export function isIncrementalRetriever(value: unknown): value is IncrementalRetriever {
  return typeof (value as Partial<IncrementalRetriever>)?.readIncremental === 'function';
}

/** A stream's incremental answer: the cursor field it reads by, or why it can only be read in full. */
export type IncrementalSupport = { cursorField: string[] } | { unsupported: string };

/**
 * A retriever that decides per stream whether incremental reads are possible (e.g. from the
 * source's metadata). Without one, a stream with incremental_sync offers incremental on its cursor.
 */
export interface IncrementalSupportReporter {
  /** `cursorField` may be empty: the source tracks changes itself and no record field is the cursor. */
  incrementalSupport(context: StreamContext, cursor: IncrementalSync): Promise<IncrementalSupport>;
}

export function isIncrementalSupportReporter(value: unknown): value is IncrementalSupportReporter {
  return typeof (value as Partial<IncrementalSupportReporter>)?.incrementalSupport === 'function';
}
