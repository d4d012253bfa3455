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

/**
 * What a column is in the payload: its property name, its schema, whether it gets `__formatted`,
 * and whether it gets `__lookuplogicalname` (a lookup that can point at more than one table).
 */
export interface ColumnInfo {
  property: string;
  schema: JsonSchema;
  formatted: boolean;
  /** Customer, Owner and multi-target Lookup columns: the row's target table is a field of its own. */
  lookupTarget: boolean;
}

/** The suffix of the field holding a polymorphic lookup's target table (`_ownerid_value__lookuplogicalname`). */
export const LOOKUP_TARGET_SUFFIX = '__lookuplogicalname';

/**
 * Why an attribute is not a column of the stream, or undefined when it is one. The Web API's own
 * rule decides (IsValidForRead and IsValidODataAttribute, facts §9): AttributeOf alone does not,
 * since `entityimage_url` (AttributeOf entityimage) is a property and the lookup shadows
 * (`owneridname`, `owneridtype`) are not; selecting a non-property makes every page a 400.
 */
export function leftOut(a: AttributeInfo): string | undefined {
  if (!a.isValidForRead) return 'not valid for read';
  if (!a.isValidODataAttribute) return a.attributeOf ? `shadow of ${a.attributeOf}, not a Web API property` : 'not a Web API property';
  switch (a.typeName) {
    case 'ImageType':
    case 'FileType':
      return 'image and file columns need separate downloads';
  }
  switch (a.attributeType) {
    case 'Virtual':
      return a.typeName === 'MultiSelectPicklistType' ? undefined : 'virtual';
    case 'PartyList':
      return 'party lists are a relationship, not a column';
    case 'CalendarRules':
      return 'calendar rules are a relationship, not a column';
  }
  return undefined;
}

/** Whether a lookup column's target table varies by row (facts §9 "Polymorphic lookups"). */
export function isPolymorphic(a: AttributeInfo): boolean {
  return a.attributeType === 'Customer' || a.attributeType === 'Owner' || (a.attributeType === 'Lookup' && (a.targets?.length ?? 0) > 1);
}

/** The column of a readable attribute (call `leftOut` first). */
export function columnOf(a: AttributeInfo): ColumnInfo {
  switch (a.attributeType) {
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return { property: `_${a.logicalName}_value`, schema: STRING, formatted: true, lookupTarget: isPolymorphic(a) };
    case 'Picklist':
    case 'State':
    case 'Status':
      return { property: a.logicalName, schema: INTEGER, formatted: true, lookupTarget: false };
    case 'Boolean':
      return { property: a.logicalName, schema: BOOLEAN, formatted: true, lookupTarget: false };
    case 'Integer':
    case 'BigInt':
      return { property: a.logicalName, schema: INTEGER, formatted: false, lookupTarget: false };
    case 'Decimal':
    case 'Double':
    case 'Money':
      return { property: a.logicalName, schema: NUMBER, formatted: false, lookupTarget: false };
    case 'DateTime':
      // The behavior alone sets the wire type (facts §9): UserLocal is a DateTimeOffset even when
      // the display Format is DateOnly.
      return { property: a.logicalName, schema: a.dateTimeBehavior === 'DateOnly' ? DATE : DATE_TIME, formatted: false, lookupTarget: false };
    case 'ManagedProperty':
      return { property: a.logicalName, schema: MANAGED_PROPERTY, formatted: false, lookupTarget: false };
    case 'Virtual':
      // Only multi-select choices get here (other Virtual kinds are left out): a comma string "1,3".
      return { property: a.logicalName, schema: STRING, formatted: true, lookupTarget: false };
    default:
      // String, Memo, Uniqueidentifier, EntityName
      return { property: a.logicalName, schema: STRING, formatted: false, lookupTarget: false };
  }
}

/** The readable columns of an entity, primary key first. */
export function columnsOf(entity: EntityInfo): ColumnInfo[] {
  const columns = entity.attributes.filter((a) => leftOut(a) === undefined).map(columnOf);
  columns.sort((x, y) => (x.property === entity.primaryIdAttribute ? -1 : y.property === entity.primaryIdAttribute ? 1 : x.property.localeCompare(y.property)));
  return columns;
}

/**
 * The stream's JSON Schema: every column, `__formatted` labels when asked for, the target table of
 * every polymorphic lookup (always), CDC fields for change-tracked entities.
 */
export function entitySchema(entity: EntityInfo, formattedValues: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const column of columnsOf(entity)) {
    properties[column.property] = column.property === entity.primaryIdAttribute ? { type: 'string' } : column.schema;
    if (formattedValues && column.formatted) properties[`${column.property}__formatted`] = STRING;
    if (column.lookupTarget) properties[`${column.property}${LOOKUP_TARGET_SUFFIX}`] = STRING;
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
