/**
 * DeclarativeStream: a name, a primary key, a schema and a retriever, plus transformations.
 * Full refresh reads every page and ends with one empty-state checkpoint (Airbyte's convention
 * for full-refresh streams); incremental reads go through the incremental_sync cursor, or through
 * a retriever with its own incremental protocol (change tracking).
 */
import { ConfigError, ResponseError } from '../errors';
import { isIncrementalRetriever, isIncrementalSupportReporter, type IncrementalSync } from './incremental';
import { SimpleRetriever, type Retriever } from './retriever';
import type { SchemaLoader } from './schema-loader';
import { unknownStateKeys } from './state-keys';
import type { RecordTransformation, StreamContext, StreamEvent, StreamRecord } from './types';

export type SyncMode = 'full_refresh' | 'incremental';

export interface DeclarativeStreamOptions {
  name: string;
  primaryKey: string[][];
  schemaLoader: SchemaLoader;
  retriever: Retriever;
  transformations: RecordTransformation[];
  incrementalSync?: IncrementalSync;
  /** Base interpolation context: config and the stream's $parameters. */
  context: StreamContext;
}

/** What discover and read tell about a stream's sync modes. */
export interface StreamSyncCapabilities {
  supportedSyncModes: SyncMode[];
  /** The source-defined cursor; empty when there is none or when the source tracks changes without one. */
  cursorField: string[];
  /** Incremental reads follow the source's own cursor (every incremental stream here). */
  sourceDefinedCursor: boolean;
  /** Why a stream with incremental_sync is full refresh only after all (the retriever said so). */
  fullRefreshReason?: string;
}

export interface StreamReadOptions {
  syncMode: SyncMode;
  state?: Record<string, unknown>;
  /**
   * The fields the caller writes, from {@link DeclarativeStream.recordFields} (absent: all). They
   * reach components as `selected_fields` in the read context, so a retriever may ask for less.
   */
  fields?: readonly string[];
}

export class DeclarativeStream {
  readonly name: string;
  readonly supportedSyncModes: SyncMode[];
  readonly cursorField: string[];

  constructor(private readonly options: DeclarativeStreamOptions) {
    this.name = options.name;
    this.supportedSyncModes = options.incrementalSync ? ['full_refresh', 'incremental'] : ['full_refresh'];
    this.cursorField = options.incrementalSync?.cursorField ?? [];
  }

  /**
   * The sync modes and cursor as the source sees them for this stream: `supportedSyncModes` and
   * `cursorField` are what the manifest declares; a retriever that reports incremental support
   * (from metadata, say) narrows them per stream.
   */
  async capabilities(): Promise<StreamSyncCapabilities> {
    const incremental = this.options.incrementalSync;
    if (!incremental) return { supportedSyncModes: ['full_refresh'], cursorField: [], sourceDefinedCursor: false };
    const retriever = this.options.retriever;
    const support = isIncrementalSupportReporter(retriever) ? await retriever.incrementalSupport(this.options.context, incremental) : { cursorField: incremental.cursorField };
    if ('unsupported' in support) return { supportedSyncModes: ['full_refresh'], cursorField: [], sourceDefinedCursor: false, fullRefreshReason: support.unsupported };
    return { supportedSyncModes: ['full_refresh', 'incremental'], cursorField: support.cursorField, sourceDefinedCursor: true };
  }

  jsonSchema(): Promise<Record<string, unknown>> {
    return this.options.schemaLoader.load();
  }

  /** The primary key: declared in the manifest, or given by the schema loader (entity metadata). */
  async primaryKey(): Promise<string[][]> {
    if (this.options.primaryKey.length > 0) return this.options.primaryKey;
    return (await this.options.schemaLoader.primaryKey?.()) ?? this.options.primaryKey;
  }

  /**
   * The fields records of this stream carry when a catalog selects `selected` (absent: every
   * property of the schema), in schema order: the selection, the primary key, the cursor, and
   * what the schema loader links to them. Undefined when the schema lists no properties.
   */
  async recordFields(selected?: readonly string[]): Promise<string[] | undefined> {
    const properties = (await this.jsonSchema()).properties;
    if (!properties || typeof properties !== 'object') return undefined;
    const all = Object.keys(properties);
    if (!selected) return all;
    const keep = new Set([...selected, ...(await this.primaryKey()).map((path) => path[0]), ...this.cursorField]);
    for (const field of (await this.options.schemaLoader.linkedFields?.(keep)) ?? []) keep.add(field);
    return all.filter((field) => keep.has(field));
  }

  /** How many rows a full read would hold, when the source can tell cheaply. */
  async estimate(): Promise<number | undefined> {
    return this.options.schemaLoader.estimate?.();
  }

  /**
   * Throws a ConfigError (worded relative to the stream's state) when `state` is not one this
   * stream writes. A full-refresh stream writes `{}`; platform keys (`__...`) pass everywhere.
   * The incremental component checks its own keys, whatever the sync mode of this read: a state
   * that would be refused later is refused now, before any stream is read.
   */
  async checkState(state: Record<string, unknown>): Promise<void> {
    const incremental = this.options.incrementalSync;
    if (!incremental) {
      const unknown = unknownStateKeys(state, []);
      if (unknown) throw new ConfigError(`stream_state holds ${unknown}, but this stream is full refresh only and keeps no state: start from a state printed by this connector, or from none`);
      return;
    }
    const retriever = this.options.retriever;
    if (isIncrementalRetriever(retriever)) {
      await retriever.checkState?.({ context: { ...this.options.context, stream_state: state }, state }, incremental);
    } else {
      await incremental.checkState?.(state);
    }
  }

  /** Reads the stream; every `checkpoint` follows the records it covers, and every record carries its primary key. */
  async *read(options: StreamReadOptions): AsyncGenerator<StreamEvent> {
    const keys = (await this.primaryKey()).map((path) => path[0]);
    for await (const event of this.events(options)) {
      if (event.kind === 'records') this.checkKeys(event.records, keys);
      yield event;
    }
  }

  /** A record without its key cannot be deduplicated or deleted downstream: the page is an error, not data. */
  private checkKeys(records: StreamRecord[], keys: string[]): void {
    for (let i = 0; i < records.length; i++) {
      for (const key of keys) {
        const value = records[i][key];
        if (value === undefined || value === null || value === '') {
          throw new ResponseError(`stream ${this.name}: record ${i + 1} of a page of ${records.length} has no value for its primary key ${key}; nothing of that page was written`);
        }
      }
    }
  }

  private async *events(options: StreamReadOptions): AsyncGenerator<StreamEvent> {
    const context: StreamContext = { ...this.options.context, stream_state: options.state ?? {}, ...(options.fields ? { selected_fields: options.fields } : {}) };
    for (const transformation of this.options.transformations) await transformation.prepare?.(context);
    const incremental = this.options.incrementalSync;
    if (options.syncMode === 'incremental' && incremental) {
      const retriever = this.options.retriever;
      const transform = (records: StreamRecord[], ctx: StreamContext) => this.transform(records, ctx);
      if (isIncrementalRetriever(retriever)) {
        yield* retriever.readIncremental({ context, state: options.state, transform }, incremental);
      } else if (retriever instanceof SimpleRetriever) {
        yield* incremental.read({ context, state: options.state, retriever, transform });
      } else {
        throw new Error(`stream ${this.name}: incremental_sync needs a SimpleRetriever or a retriever with its own incremental reads`);
      }
      return;
    }
    for await (const page of this.options.retriever.read(context)) {
      this.transform(page.records, page.context ?? context);
      yield { kind: 'records', records: page.records };
    }
    yield { kind: 'checkpoint', state: {} };
  }

  private transform(records: StreamRecord[], context: StreamContext): void {
    const transformations = this.options.transformations;
    if (transformations.length === 0) return;
    for (let i = 0; i < records.length; i++) {
      for (const transformation of transformations) records[i] = transformation.transform(records[i], context) ?? records[i];
    }
  }
}
