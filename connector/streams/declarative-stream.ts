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
import { partitionProgressOf, withoutPartitions, type OpenPartition, type PlannedRead } from './partition-state';
import { isPartitionPlanner, type PartitionRequest, type ReadPartition } from './partitions';
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
  async checkState(state: Record<string, unknown>, syncMode?: SyncMode): Promise<void> {
    if (partitionProgressOf(state)) await this.checkPartitions(state, syncMode ?? 'full_refresh');
    await this.checkOwnState(withoutPartitions(state));
  }

  /**
   * The partitions of a saved partitioned read must be ones this stream's planner rebuilds
   * (it refuses keys it never cut); a stream that is never read in partitions refuses the key.
   */
  private async checkPartitions(state: Record<string, unknown>, syncMode: SyncMode): Promise<void> {
    if (!isPartitionPlanner(this.options.retriever)) {
      throw new ConfigError('stream_state holds "partitions", but this stream is never read in partitions: start from a state printed by this connector, or from none');
    }
    const progress = partitionProgressOf(state);
    await this.options.retriever.restorePartitions(this.partitionRequest({ ...this.options.context, stream_state: withoutPartitions(state) }, syncMode, 1), progress?.open.map((p) => p.key) ?? []);
  }

  private async checkOwnState(state: Record<string, unknown>): Promise<void> {
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

  /**
   * The partitioned read of this stream, when its retriever plans one: resumed from the state's
   * saved partitions, or planned afresh (undefined: the planner leaves this read sequential).
   * Every page a partition yields is transformed and checked for its primary key.
   */
  async planRead(options: StreamReadOptions, workers: number): Promise<PlannedRead | undefined> {
    const retriever = this.options.retriever;
    const progress = partitionProgressOf(options.state);
    if (!isPartitionPlanner(retriever)) {
      if (progress) throw new ConfigError('stream_state holds "partitions", but this stream is never read in partitions: start from a state printed by this connector, or from none');
      return undefined;
    }
    const carried = withoutPartitions(options.state ?? {});
    const context = this.readContext({ ...options, state: carried });
    const request = this.partitionRequest(context, options.syncMode, workers);
    const plan = progress ? await retriever.restorePartitions(request, progress.open.map((p) => p.key)) : await retriever.planPartitions(request);
    // Prepared only for a plan: a read left sequential prepares in events(), once.
    if (!plan) return undefined;
    await this.prepare(context);
    const keys = (await this.primaryKey()).map((path) => path[0]);
    const byKey = new Map(plan.partitions.map((p) => [p.key, p]));
    const open = (progress?.open ?? plan.partitions.map((p): OpenPartition => ({ key: p.key }))).map(({ key, next, pageSize }) => {
      const partition = byKey.get(key);
      if (!partition) throw new Error(`stream ${this.name}: the partition planner did not rebuild partition ${key}`);
      return { partition: this.keyChecked(partition, keys), ...(next === undefined ? {} : { next }), ...(pageSize === undefined ? {} : { pageSize }) };
    });
    return { plan, open, done: progress?.done ?? new Map(), carried };
  }

  private partitionRequest(context: StreamContext, syncMode: SyncMode, workers: number): PartitionRequest {
    return { context, syncMode, workers, transform: (records, ctx) => this.transform(records, ctx) };
  }

  /** The partition with each emitted page checked for primary keys before anyone sees it. */
  private keyChecked(partition: ReadPartition, keys: string[]): ReadPartition {
    const check = (records: StreamRecord[]) => this.checkKeys(records, keys);
    return {
      key: partition.key,
      emits: partition.emits,
      async *pages(resumeLink?: string, pageSize?: number) {
        for await (const page of partition.pages(resumeLink, pageSize)) {
          if (partition.emits) check(page.records);
          yield page;
        }
      },
    };
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

  /** The read's context: the stream's, with the state and the selected fields. */
  private readContext(options: StreamReadOptions): StreamContext {
    return { ...this.options.context, stream_state: options.state ?? {}, ...(options.fields ? { selected_fields: options.fields } : {}) };
  }

  /** The transformations' once-per-read work, before the first page. */
  private async prepare(context: StreamContext): Promise<void> {
    for (const transformation of this.options.transformations) await transformation.prepare?.(context);
  }

  private async *events(options: StreamReadOptions): AsyncGenerator<StreamEvent> {
    const context = this.readContext(options);
    await this.prepare(context);
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
