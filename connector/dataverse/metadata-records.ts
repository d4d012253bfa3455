/**
 * EntityDefinitions / Attributes answers -> entity_metadata and attribute_metadata records.
 * Labels as the picklist stream reads them (`text`, `labels`): the user's label or null, never
 * "", and every language. An answer that is not the expected shape is an error, never a record
 * with a field quietly missing.
 */
import { ResponseError } from '../errors';
import type { AttributeMetadataRecord } from '../generated/attribute_metadata-record';
import type { EntityMetadataRecord } from '../generated/entity_metadata-record';
import { attributeInfoOf } from './attribute-info';
import { columnOf, leftOut } from './entity-schema';
import { labels, text, type LabelSet } from './option-sets';

type Json = Record<string, unknown>;

const userLabel = (set: unknown) => text((set as LabelSet | null | undefined)?.UserLocalizedLabel?.Label);

function requiredString(item: Json, name: string, where: string): string {
  const value = item[name];
  if (typeof value !== 'string' || value === '') throw new ResponseError(`${where}: ${name} is missing`);
  return value;
}

const bool = (value: unknown) => value === true;
const int = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? value : null);
/** A number as Dataverse sent it: a double, or a JSON.rawJSON holding every digit of an Int64. */
const num = (value: unknown) => (typeof value === 'number' || (value !== null && typeof value === 'object' && (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(value)) ? value : null);
const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
/** A complex `{Value: ...}` property (RequiredLevel, DateTimeBehavior), or null. */
const valueOf = (value: unknown) => str((value as { Value?: unknown } | null | undefined)?.Value);

/** One entity_metadata record from an EntityDefinitions item. */
export function entityRecord(item: Json): EntityMetadataRecord {
  const name = requiredString(item, 'LogicalName', 'an EntityDefinitions item');
  const where = `the metadata of table ${name}`;
  return {
    logical_name: name,
    entity_set_name: requiredString(item, 'EntitySetName', where),
    schema_name: requiredString(item, 'SchemaName', where),
    display_name: userLabel(item.DisplayName),
    display_name_labels: labels(item.DisplayName as LabelSet | null),
    display_collection_name: userLabel(item.DisplayCollectionName),
    description: userLabel(item.Description),
    primary_id_attribute: requiredString(item, 'PrimaryIdAttribute', where),
    primary_name_attribute: str(item.PrimaryNameAttribute),
    object_type_code: int(item.ObjectTypeCode),
    is_custom_entity: bool(item.IsCustomEntity),
    is_activity: bool(item.IsActivity),
    is_intersect: bool(item.IsIntersect),
    ownership_type: str(item.OwnershipType),
    change_tracking_enabled: bool(item.ChangeTrackingEnabled),
    metadata_id: requiredString(item, 'MetadataId', where),
  };
}

/**
 * One attribute_metadata record: the base Attributes item and what the casts added (`details`:
 * MaxLength, Precision, MinValue, MaxValue, Format, DateTimeBehavior, Targets, OptionSet).
 */
export function attributeRecord(entity: string, item: Json, details: Json = {}): AttributeMetadataRecord {
  const name = requiredString(item, 'LogicalName', `an attribute of table ${entity}`);
  const where = `the metadata of column ${entity}.${name}`;
  const behavior = valueOf(details.DateTimeBehavior);
  const targets = Array.isArray(details.Targets) ? details.Targets.map(String) : null;
  const format = str(details.Format);
  const info = attributeInfoOf(item, { dateTimeBehavior: behavior ?? undefined, format: format ?? undefined, targets: targets ?? undefined });
  return {
    entity,
    logical_name: name,
    column: leftOut(info) === undefined ? columnOf(info).property : null,
    schema_name: requiredString(item, 'SchemaName', where),
    display_name: userLabel(item.DisplayName),
    display_name_labels: labels(item.DisplayName as LabelSet | null),
    description: userLabel(item.Description),
    attribute_type: requiredString(item, 'AttributeType', where),
    attribute_type_name: info.typeName,
    is_custom_attribute: bool(item.IsCustomAttribute),
    is_primary_id: bool(item.IsPrimaryId),
    is_primary_name: bool(item.IsPrimaryName),
    required_level: valueOf(item.RequiredLevel),
    max_length: int(details.MaxLength),
    precision: int(details.Precision),
    min_value: num(details.MinValue),
    max_value: num(details.MaxValue),
    format,
    date_time_behavior: behavior,
    targets,
    option_set_name: str((details.OptionSet as { Name?: unknown } | null | undefined)?.Name),
    is_valid_for_read: info.isValidForRead,
    is_valid_odata_attribute: info.isValidODataAttribute,
    metadata_id: requiredString(item, 'MetadataId', where),
  } as AttributeMetadataRecord;
}
