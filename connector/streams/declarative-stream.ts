/**
 * DeclarativeStream: a name, a primary key, a schema and a retriever, plus transformations.
 * Full refresh reads every page and ends with one empty-state checkpoint (Airbyte's convention
 * for full-refresh streams); incremental streams will plug a cursor in here.
 */
import type { Retriever } from './retriever';
import type { SchemaLoader } from './schema-loader';
import type { RecordTransformation, StreamContext, StreamEvent } from './types';

export type SyncMode = 'full_refresh' | 'incremental';

export interface DeclarativeStreamOptions {
  name: string;
  primaryKey: string[][];
  schemaLoader: SchemaLoader;
  retriever: Retriever;
  transformations: RecordTransformation[];
  /** Base interpolation context: config and the stream's $parameters. */
  context: StreamContext;
}

export interface StreamReadOptions {
  syncMode: SyncMode;
  state?: Record<string, unknown>;
}

export class DeclarativeStream {
  readonly name: string;
  readonly primaryKey: string[][];
  readonly supportedSyncModes: SyncMode[] = ['full_refresh'];
  readonly cursorField: string[] = [];

  constructor(private readonly options: DeclarativeStreamOptions) {
    this.name = options.name;
    this.primaryKey = options.primaryKey;
  }

  jsonSchema(): Promise<Record<string, unknown>> {
    return this.options.schemaLoader.load();
  }

  /** Reads the stream; every `checkpoint` follows the records it covers. */
  async *read(_options: StreamReadOptions): AsyncGenerator<StreamEvent> {
    const context: StreamContext = { ...this.options.context, stream_state: {}, stream_partition: {}, stream_slice: {} };
    for (const transformation of this.options.transformations) await transformation.prepare?.(context);
    for await (const page of this.options.retriever.read(context)) {
      for (const record of page.records) {
        for (const transformation of this.options.transformations) transformation.transform(record, context);
      }
      yield { kind: 'records', records: page.records };
    }
    yield { kind: 'checkpoint', state: {} };
  }
}
