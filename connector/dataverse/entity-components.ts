/**
 * The small custom components of entity streams, each backed by the shared EntityMetadataProvider:
 * the partition router that puts the entity's set name, key and columns into `stream_partition`,
 * the schema loader, and the row shaper that turns a Dataverse row into a record.
 */
import type { Renderable } from '../http/requester';
import type { PartitionRouter } from '../streams/partition-router';
import type { SchemaLoader } from '../streams/schema-loader';
import type { RecordTransformation, StreamContext, StreamRecord } from '../streams/types';
import type { EntityMetadataProvider } from './entity-metadata';
import { columnsOf, entitySchema } from './entity-schema';

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';

/** `stream_partition` of an entity stream. */
export interface EntityPartition extends Record<string, unknown> {
  entity: string;
  entity_set: string;
  primary_key: string;
  /** `$select` value: every column of the schema. */
  select: string;
  change_tracking: boolean;
  /** Columns whose formatted value becomes `<column>__formatted` (empty unless formatted_values). */
  formatted_columns: string[];
}

export class EntityPartitionRouter implements PartitionRouter {
  constructor(
    private readonly metadata: EntityMetadataProvider,
    private readonly entity: Renderable,
    private readonly formattedValues: Renderable,
  ) {}

  async partitions(context: StreamContext): Promise<EntityPartition[]> {
    const info = await this.metadata.entity(context, String(this.entity.render(context)));
    const columns = columnsOf(info);
    const formatted = this.formattedValues.render(context) === true;
    return [
      {
        entity: info.logicalName,
        entity_set: info.entitySetName,
        primary_key: info.primaryIdAttribute,
        select: columns.map((c) => c.property).join(','),
        change_tracking: info.changeTracking,
        formatted_columns: formatted ? columns.filter((c) => c.formatted).map((c) => c.property) : [],
      },
    ];
  }
}

export class EntitySchemaLoader implements SchemaLoader {
  constructor(
    private readonly metadata: EntityMetadataProvider,
    private readonly entity: Renderable,
    private readonly formattedValues: Renderable,
    private readonly context: StreamContext,
  ) {}

  async load(): Promise<Record<string, unknown>> {
    const info = await this.metadata.entity(this.context, String(this.entity.render(this.context)));
    return entitySchema(info, this.formattedValues.render(this.context) === true);
  }

  /** The primary key comes from the metadata (PrimaryIdAttribute), not from the manifest. */
  async primaryKey(): Promise<string[][]> {
    const info = await this.metadata.entity(this.context, String(this.entity.render(this.context)));
    return [[info.primaryIdAttribute]];
  }

  /** Rows the stream will hold, from the service's record counts (an estimate). */
  estimate(): Promise<number | undefined> {
    return this.metadata.estimate(this.context, String(this.entity.render(this.context)));
  }
}

/**
 * Turns the formatted-value annotations of option-set and lookup columns into
 * `<column>__formatted`. Nothing is deleted: the writer writes only the schema's fields, so
 * annotations and unasked columns (Dataverse adds `_transactioncurrencyid_value` next to money)
 * never reach the output, and the parsed row keeps its fast shape.
 */
export class EntityRowShaper implements RecordTransformation {
  private cache?: { partition: unknown; formatted: Array<[string, string]> };

  transform(record: StreamRecord, context: StreamContext): void {
    const partition = context.stream_partition as EntityPartition;
    if (this.cache?.partition !== partition) {
      this.cache = { partition, formatted: partition.formatted_columns.map((c) => [c + FORMATTED, `${c}__formatted`]) };
    }
    for (const [annotation, field] of this.cache.formatted) {
      const label = record[annotation];
      record[field] = typeof label === 'string' ? label : null;
    }
  }
}
