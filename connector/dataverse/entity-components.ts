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
import { LOOKUP_TARGET_SUFFIX, columnsOf, entitySchema, type ColumnInfo } from './entity-schema';

const FORMATTED_TERM = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_TERM = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const FORMATTED = `@${FORMATTED_TERM}`;
const LOOKUP = `@${LOOKUP_TERM}`;
const FORMATTED_SUFFIX = '__formatted';

/** `stream_partition` of an entity stream. */
export interface EntityPartition extends Record<string, unknown> {
  entity: string;
  entity_set: string;
  primary_key: string;
  /** `$select` value: every column of the schema, or those of the catalog's selection (with the key). */
  select: string;
  change_tracking: boolean;
  /** Columns whose formatted value becomes `<column>__formatted` (empty unless formatted_values). */
  formatted_columns: string[];
  /** Polymorphic lookup columns whose target table becomes `<column>__lookuplogicalname`. */
  lookup_columns: string[];
  /**
   * The `odata.include-annotations` list the pages ask for (empty: none): lookuplogicalname when
   * there are polymorphic lookups, FormattedValue with formatted_values. One list, since the
   * service honours one include-annotations preference (facts §5, §9).
   */
  include_annotations: string;
}

export class EntityPartitionRouter implements PartitionRouter {
  constructor(
    private readonly metadata: EntityMetadataProvider,
    private readonly entity: Renderable,
    private readonly formattedValues: Renderable,
  ) {}

  async partitions(context: StreamContext): Promise<EntityPartition[]> {
    const info = await this.metadata.entity(context, String(this.entity.render(context)));
    const columns = selectedColumns(columnsOf(info), info.primaryIdAttribute, context.selected_fields);
    const formatted = this.formattedValues.render(context) === true;
    const formattedColumns = formatted ? columns.filter((c) => c.formatted).map((c) => c.property) : [];
    const lookupColumns = columns.filter((c) => c.lookupTarget).map((c) => c.property);
    const terms = [...(formattedColumns.length > 0 ? [FORMATTED_TERM] : []), ...(lookupColumns.length > 0 ? [LOOKUP_TERM] : [])];
    return [
      {
        entity: info.logicalName,
        entity_set: info.entitySetName,
        primary_key: info.primaryIdAttribute,
        select: columns.map((c) => c.property).join(','),
        change_tracking: info.changeTracking,
        formatted_columns: formattedColumns,
        lookup_columns: lookupColumns,
        include_annotations: terms.join(','),
      },
    ];
  }
}

/**
 * The columns a read asks for: all, or those whose property or companion (`__formatted`,
 * `__lookuplogicalname`) is among the fields written, and the key.
 */
function selectedColumns(columns: ColumnInfo[], primaryKey: string, fields: unknown): ColumnInfo[] {
  if (!Array.isArray(fields)) return columns;
  const wanted = new Set(fields.map(String));
  return columns.filter(
    (c) => c.property === primaryKey || wanted.has(c.property) || wanted.has(`${c.property}${FORMATTED_SUFFIX}`) || wanted.has(`${c.property}${LOOKUP_TARGET_SUFFIX}`),
  );
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

  /**
   * What goes with a selection: a column's `__formatted` and `__lookuplogicalname` companions,
   * and on a change-tracked table the CDC fields with `modifiedon`, which `_ab_cdc_updated_at`
   * is made from (the deletion marker is never left out: a destination would miss deletes).
   */
  async linkedFields(selected: ReadonlySet<string>): Promise<string[]> {
    const info = await this.metadata.entity(this.context, String(this.entity.render(this.context)));
    const linked: string[] = [];
    for (const column of columnsOf(info)) {
      if (!selected.has(column.property)) continue;
      linked.push(`${column.property}${FORMATTED_SUFFIX}`);
      if (column.lookupTarget) linked.push(`${column.property}${LOOKUP_TARGET_SUFFIX}`);
    }
    if (info.changeTracking) linked.push('modifiedon', '_ab_cdc_updated_at', '_ab_cdc_deleted_at');
    return linked;
  }

  /** Rows the stream will hold, from the service's record counts (an estimate). */
  estimate(): Promise<number | undefined> {
    return this.metadata.estimate(this.context, String(this.entity.render(this.context)));
  }
}

/**
 * Turns annotations into fields: formatted values of option-set and lookup columns into
 * `<column>__formatted`, target tables of polymorphic lookups into `<column>__lookuplogicalname`
 * (null when the lookup is empty). Nothing is deleted: the writer writes only the schema's fields,
 * so annotations and unasked columns (Dataverse adds `_transactioncurrencyid_value` next to money)
 * never reach the output, and the parsed row keeps its fast shape.
 */
export class EntityRowShaper implements RecordTransformation {
  private cache?: { partition: unknown; fields: Array<[string, string]> };

  transform(record: StreamRecord, context: StreamContext): void {
    const partition = context.stream_partition as EntityPartition;
    if (this.cache?.partition !== partition) {
      this.cache = {
        partition,
        fields: [
          ...partition.formatted_columns.map((c): [string, string] => [c + FORMATTED, `${c}__formatted`]),
          ...(partition.lookup_columns ?? []).map((c): [string, string] => [c + LOOKUP, c + LOOKUP_TARGET_SUFFIX]),
        ],
      };
    }
    for (const [annotation, field] of this.cache.fields) {
      const value = record[annotation];
      record[field] = typeof value === 'string' ? value : null;
    }
  }
}
