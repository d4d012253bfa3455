/**
 * Dataverse attribute metadata -> the columns an entity stream reads and their JSON Schema.
 * The mapping is a table so every AttributeType has a stated answer, including "left out, because".
 */
import type { AttributeInfo, EntityInfo } from './entity-metadata';

type JsonSchema = Record<string, unknown>;

const DATE_TIME: JsonSchema = { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
const DATE: JsonSchema = { type: ['string', 'null'], format: 'date' };
const STRING: JsonSchema = { type: ['string', 'null'] };
const INTEGER: JsonSchema = { type: ['integer', 'null'] };
const NUMBER: JsonSchema = { type: ['number', 'null'] };
const BOOLEAN: JsonSchema = { type: ['boolean', 'null'] };
const MANAGED_PROPERTY: JsonSchema = {
  type: ['object', 'null'],
  properties: { Value: BOOLEAN, CanBeChanged: BOOLEAN, ManagedPropertyLogicalName: STRING },
};

/** What a column is in the payload: its property name, its schema, and whether it gets `__formatted`. */
export interface ColumnInfo {
  property: string;
  schema: JsonSchema;
  formatted: boolean;
}

/** Why an attribute is not a column of the stream, or undefined when it is one. */
export function leftOut(a: AttributeInfo): string | undefined {
  if (!a.isValidForRead) return 'not valid for read';
  if (a.attributeOf) return `shadow of ${a.attributeOf}`;
  switch (a.typeName) {
    case 'ImageType':
    case 'FileType':
      return 'image and file columns need separate downloads';
    case 'VirtualType':
      return 'virtual';
    case 'PartyListType':
      return 'party lists are a relationship, not a column';
    case 'CalendarRulesType':
      return 'calendar rules are a relationship, not a column';
  }
  return undefined;
}

/** The column of a readable attribute (call `leftOut` first). */
export function columnOf(a: AttributeInfo): ColumnInfo {
  switch (a.attributeType) {
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return { property: `_${a.logicalName}_value`, schema: STRING, formatted: true };
    case 'Picklist':
    case 'State':
    case 'Status':
      return { property: a.logicalName, schema: INTEGER, formatted: true };
    case 'Boolean':
      return { property: a.logicalName, schema: BOOLEAN, formatted: true };
    case 'Integer':
    case 'BigInt':
      return { property: a.logicalName, schema: INTEGER, formatted: false };
    case 'Decimal':
    case 'Double':
    case 'Money':
      return { property: a.logicalName, schema: NUMBER, formatted: false };
    case 'DateTime':
      return { property: a.logicalName, schema: a.dateTimeBehavior === 'DateOnly' || a.format === 'DateOnly' ? DATE : DATE_TIME, formatted: false };
    case 'ManagedProperty':
      return { property: a.logicalName, schema: MANAGED_PROPERTY, formatted: false };
    case 'Virtual':
      // Only multi-select choices get here (other Virtual kinds are left out): a comma string "1,3".
      return { property: a.logicalName, schema: STRING, formatted: true };
    default:
      // String, Memo, Uniqueidentifier, EntityName
      return { property: a.logicalName, schema: STRING, formatted: false };
  }
}

/** The readable columns of an entity, primary key first. */
export function columnsOf(entity: EntityInfo): ColumnInfo[] {
  const columns = entity.attributes.filter((a) => leftOut(a) === undefined).map(columnOf);
  columns.sort((x, y) => (x.property === entity.primaryIdAttribute ? -1 : y.property === entity.primaryIdAttribute ? 1 : x.property.localeCompare(y.property)));
  return columns;
}

/** The stream's JSON Schema: every column, `__formatted` labels when asked for, CDC fields for change-tracked entities. */
export function entitySchema(entity: EntityInfo, formattedValues: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const column of columnsOf(entity)) {
    properties[column.property] = column.property === entity.primaryIdAttribute ? { type: 'string' } : column.schema;
    if (formattedValues && column.formatted) properties[`${column.property}__formatted`] = STRING;
  }
  if (entity.changeTracking) {
    properties._ab_cdc_updated_at = DATE_TIME;
    properties._ab_cdc_deleted_at = DATE_TIME;
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: entity.logicalName,
    type: 'object',
    additionalProperties: true,
    required: [entity.primaryIdAttribute],
    properties,
  };
}
