/**
 * The properties the emulator serves for EntityMetadata and the AttributeMetadata types: their Edm
 * types (for `$select` and `$filter` validation) and how each is read from the world's
 * {@link EntityDef} / {@link AttributeDef}. A property list is also the order of a full (un-
 * `$select`ed) item.
 *
 * The real types have many more properties; these are the ones connectors use plus the common
 * flags, with values a default org would have [INF where not in the fixtures].
 */
import { displayTextOf, labelJson } from './metadata-labels';
import { isODataProperty, type AttributeDef, type EntityDef } from './model';
import type { EdmType, FilterSchema } from './odata-filter';

/** What a getter may need besides the item. */
export interface RenderEnv {
  userLanguage: number;
  /** The entity an attribute belongs to (for entities: the entity itself). */
  entity: EntityDef;
}

/** One served property. */
export interface PropertySpec<T> {
  /** Edm primitive/enum type; `Label`, `Collection` or a complex type name when not filterable as is. */
  edm: EdmType;
  /** Members of a complex value usable in `$filter` paths (`RequiredLevel/Value`). */
  complex?: Record<string, EdmType>;
  get(item: T, env: RenderEnv): unknown;
}

/** An ordered property table of one type. */
export type Catalog<T> = Record<string, PropertySpec<T>>;

const NS = 'Microsoft.Dynamics.CRM';
const MANAGED_PROPERTY = { Value: 'Edm.Boolean', CanBeChanged: 'Edm.Boolean', ManagedPropertyLogicalName: 'Edm.String' };

/** Custom (publisher-prefixed) names such as `new_tags`, `sample_bankaccount`. */
export const isCustomName = (logicalName: string) => /^[a-z0-9]+_/.test(logicalName);

const managedProperty = (value: boolean, canBeChanged: boolean, logicalName: string) => ({
  Value: value,
  CanBeChanged: canBeChanged,
  ManagedPropertyLogicalName: logicalName,
});

/** SchemaName of an entity: given, or the logical name with its first letter capitalised. */
export const entitySchemaName = (e: EntityDef) => e.schemaName ?? e.logicalName.replace(/^./, (c) => c.toUpperCase());

/** EntityMetadata properties. */
export const ENTITY_PROPERTIES: Catalog<EntityDef> = {
  MetadataId: { edm: 'Edm.Guid', get: (e) => e.metadataId },
  HasChanged: { edm: 'Edm.Boolean', get: () => null },
  LogicalName: { edm: 'Edm.String', get: (e) => e.logicalName },
  SchemaName: { edm: 'Edm.String', get: (e) => entitySchemaName(e) },
  EntitySetName: { edm: 'Edm.String', get: (e) => e.entitySetName },
  LogicalCollectionName: { edm: 'Edm.String', get: (e) => e.entitySetName },
  CollectionSchemaName: { edm: 'Edm.String', get: (e) => `${entitySchemaName(e)}s` },
  PrimaryIdAttribute: { edm: 'Edm.String', get: (e) => e.primaryIdAttribute },
  PrimaryNameAttribute: { edm: 'Edm.String', get: (e) => e.primaryNameAttribute },
  PrimaryImageAttribute: { edm: 'Edm.String', get: (e) => e.attributes.find((a) => a.attributeTypeName === 'ImageType')?.logicalName ?? null },
  ObjectTypeCode: { edm: 'Edm.Int32', get: (e) => e.objectTypeCode },
  ChangeTrackingEnabled: { edm: 'Edm.Boolean', get: (e) => e.changeTrackingEnabled },
  CanChangeTrackingBeEnabled: {
    edm: 'BooleanManagedProperty',
    complex: MANAGED_PROPERTY,
    get: () => managedProperty(true, true, 'canchangetrackingbeenabled'),
  },
  IsCustomEntity: { edm: 'Edm.Boolean', get: (e) => isCustomName(e.logicalName) },
  IsManaged: { edm: 'Edm.Boolean', get: (e) => !isCustomName(e.logicalName) },
  IsActivity: { edm: 'Edm.Boolean', get: (e) => e.isActivity === true },
  IsIntersect: { edm: 'Edm.Boolean', get: () => false },
  IsPrivate: { edm: 'Edm.Boolean', get: () => false },
  IsLogicalEntity: { edm: 'Edm.Boolean', get: () => false },
  IsValidForAdvancedFind: { edm: 'Edm.Boolean', get: () => true },
  IsKnowledgeManagementEnabled: { edm: 'Edm.Boolean', get: () => false },
  OwnershipType: {
    edm: `${NS}.OwnershipTypes`,
    get: (e) => (e.attributes.some((a) => a.attributeType === 'Owner') ? 'UserOwned' : 'OrganizationOwned'),
  },
  TableType: { edm: 'Edm.String', get: () => 'Standard' },
  IntroducedVersion: { edm: 'Edm.String', get: (e) => (isCustomName(e.logicalName) ? '1.0.0.0' : '5.0.0.0') },
  DisplayName: {
    edm: 'Label',
    get: (e, env) => labelJson(e.displayName ?? { 1033: displayTextOf(entitySchemaName(e)) }, e.displayNameIds, e.metadataId, 'displayname', !isCustomName(e.logicalName), env.userLanguage),
  },
  DisplayCollectionName: {
    edm: 'Label',
    get: (e, env) => {
      const names = e.displayName ?? { 1033: displayTextOf(entitySchemaName(e)) };
      const plural = e.displayCollectionName ?? Object.fromEntries(Object.entries(names).map(([lang, text]) => [lang, `${text}s`]));
      return labelJson(plural, undefined, e.metadataId, 'displaycollectionname', !isCustomName(e.logicalName), env.userLanguage);
    },
  },
  Description: { edm: 'Label', get: (e, env) => labelJson(e.description, undefined, e.metadataId, 'description', !isCustomName(e.logicalName), env.userLanguage) },
};

const READ_ONLY = new Set(['createdon', 'modifiedon', 'versionnumber', 'exchangerate']);

/** AttributeMetadata (the base type) properties. */
export const ATTRIBUTE_PROPERTIES: Catalog<AttributeDef> = {
  MetadataId: { edm: 'Edm.Guid', get: (a) => a.metadataId },
  HasChanged: { edm: 'Edm.Boolean', get: () => null },
  LogicalName: { edm: 'Edm.String', get: (a) => a.logicalName },
  SchemaName: { edm: 'Edm.String', get: (a) => a.schemaName },
  EntityLogicalName: { edm: 'Edm.String', get: (_a, env) => env.entity.logicalName },
  AttributeType: { edm: `${NS}.AttributeTypeCode`, get: (a) => a.attributeType },
  AttributeTypeName: { edm: 'AttributeTypeDisplayName', complex: { Value: 'Edm.String' }, get: (a) => ({ Value: a.attributeTypeName }) },
  AttributeOf: { edm: 'Edm.String', get: (a) => a.attributeOf },
  ColumnNumber: { edm: 'Edm.Int32', get: (a, env) => env.entity.attributes.indexOf(a) + 1 },
  IsPrimaryId: { edm: 'Edm.Boolean', get: (a) => a.isPrimaryId },
  IsPrimaryName: { edm: 'Edm.Boolean', get: (a) => a.isPrimaryName },
  IsValidForRead: { edm: 'Edm.Boolean', get: (a) => a.isValidForRead },
  IsValidForCreate: { edm: 'Edm.Boolean', get: (a) => a.attributeOf === null && !READ_ONLY.has(a.logicalName) },
  IsValidForUpdate: { edm: 'Edm.Boolean', get: (a) => a.attributeOf === null && !READ_ONLY.has(a.logicalName) && !a.isPrimaryId },
  IsCustomAttribute: { edm: 'Edm.Boolean', get: (a) => isCustomName(a.logicalName) },
  IsManaged: { edm: 'Edm.Boolean', get: (a) => !isCustomName(a.logicalName) },
  IsLogical: { edm: 'Edm.Boolean', get: (a) => a.attributeOf !== null },
  IsSecured: { edm: 'Edm.Boolean', get: () => false },
  IsFilterable: { edm: 'Edm.Boolean', get: (a) => a.attributeOf === null },
  IsRetrievable: { edm: 'Edm.Boolean', get: (a) => a.isValidForRead },
  // [DOC facts §9] false for shadows (owneridname, owneridtype, industrycodename...), true for entityimage_url.
  IsValidODataAttribute: { edm: 'Edm.Boolean', get: (a) => isODataProperty(a) },
  RequiredLevel: {
    edm: 'AttributeRequiredLevelManagedProperty',
    complex: { Value: `${NS}.AttributeRequiredLevel`, CanBeChanged: 'Edm.Boolean', ManagedPropertyLogicalName: 'Edm.String' },
    get: (a) => ({
      Value: a.requiredLevel ?? (a.isPrimaryId || a.isPrimaryName ? 'SystemRequired' : 'None'),
      CanBeChanged: !a.isPrimaryId,
      ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
    }),
  },
  IntroducedVersion: { edm: 'Edm.String', get: (a) => (isCustomName(a.logicalName) ? '1.0.0.0' : '5.0.0.0') },
  DisplayName: {
    edm: 'Label',
    get: (a, env) => labelJson(a.displayName ?? { 1033: displayTextOf(a.schemaName) }, undefined, a.metadataId, 'displayname', !isCustomName(a.logicalName), env.userLanguage),
  },
  Description: { edm: 'Label', get: (a, env) => labelJson(a.description, undefined, a.metadataId, 'description', !isCustomName(a.logicalName), env.userLanguage) },
};

/**
 * AttributeTypeName.Value -> the derived entity type its items carry as `@odata.type`. Types
 * without an entry are served as the base AttributeMetadata without `@odata.type`: Virtual shadow
 * columns (REAL capture, attributes-account.json), Uniqueidentifier (the fixture leaves
 * `accountid`'s type out as unverified) and CalendarRules [INF].
 */
export const DERIVED_TYPE: Readonly<Record<string, string>> = {
  BigIntType: 'BigIntAttributeMetadata',
  BooleanType: 'BooleanAttributeMetadata',
  CustomerType: 'LookupAttributeMetadata',
  DateTimeType: 'DateTimeAttributeMetadata',
  DecimalType: 'DecimalAttributeMetadata',
  DoubleType: 'DoubleAttributeMetadata',
  EntityNameType: 'EntityNameAttributeMetadata',
  FileType: 'FileAttributeMetadata',
  ImageType: 'ImageAttributeMetadata',
  IntegerType: 'IntegerAttributeMetadata',
  LookupType: 'LookupAttributeMetadata',
  ManagedPropertyType: 'ManagedPropertyAttributeMetadata',
  MemoType: 'MemoAttributeMetadata',
  MoneyType: 'MoneyAttributeMetadata',
  MultiSelectPicklistType: 'MultiSelectPicklistAttributeMetadata',
  OwnerType: 'LookupAttributeMetadata',
  PartyListType: 'LookupAttributeMetadata',
  PicklistType: 'PicklistAttributeMetadata',
  StateType: 'StateAttributeMetadata',
  StatusType: 'StatusAttributeMetadata',
  StringType: 'StringAttributeMetadata',
};

/** The derived type name of an attribute (without namespace), or null for base-type items. */
export const derivedTypeOf = (a: AttributeDef): string | null => DERIVED_TYPE[a.attributeTypeName] ?? null;

/** A JSON number written with exactly these digits (JSON.rawJSON, Node 22+). */
const rawNumber = (text: string): unknown => (JSON as unknown as { rawJSON(t: string): unknown }).rawJSON(text);

const IME_MODE = { edm: `${NS}.ImeMode`, get: () => 'Auto' };
const MIN_MAX = (min: number, max: number): Catalog<AttributeDef> => ({
  MinValue: { edm: 'Edm.Double', get: () => min },
  MaxValue: { edm: 'Edm.Double', get: () => max },
});
const DEFAULT_FORM_VALUE: Catalog<AttributeDef> = { DefaultFormValue: { edm: 'Edm.Int32', get: (a) => (a.attributeType === 'Picklist' ? -1 : null) } };

/** Extra properties per derived type (beyond AttributeMetadata's). */
export const DERIVED_PROPERTIES: Readonly<Record<string, Catalog<AttributeDef>>> = {
  StringAttributeMetadata: {
    MaxLength: { edm: 'Edm.Int32', get: (a) => a.maxLength ?? (a.isPrimaryName ? 160 : 100) },
    Format: { edm: `${NS}.StringFormat`, get: (a) => (a.logicalName.includes('email') ? 'Email' : 'Text') },
    FormatName: { edm: 'StringFormatName', complex: { Value: 'Edm.String' }, get: (a) => ({ Value: a.logicalName.includes('email') ? 'Email' : 'Text' }) },
    DatabaseLength: { edm: 'Edm.Int32', get: (a) => (a.isPrimaryName ? 320 : 200) },
    ImeMode: IME_MODE,
  },
  MemoAttributeMetadata: {
    MaxLength: { edm: 'Edm.Int32', get: (a) => a.maxLength ?? 2000 },
    Format: { edm: `${NS}.StringFormat`, get: () => 'TextArea' },
    ImeMode: IME_MODE,
  },
  IntegerAttributeMetadata: { ...MIN_MAX(-2147483648, 2147483647), Format: { edm: `${NS}.IntegerFormat`, get: () => 'None' } },
  // Edm.Int64 bounds, every digit as the service writes them (a double would end in ...6000).
  BigIntAttributeMetadata: {
    MinValue: { edm: 'Edm.Int64', get: () => rawNumber('-9223372036854775808') },
    MaxValue: { edm: 'Edm.Int64', get: () => rawNumber('9223372036854775807') },
  },
  DecimalAttributeMetadata: { Precision: { edm: 'Edm.Int32', get: (a) => a.precision ?? (a.logicalName === 'exchangerate' ? 10 : 2) }, ...MIN_MAX(-100000000000, 100000000000), ImeMode: IME_MODE },
  DoubleAttributeMetadata: { Precision: { edm: 'Edm.Int32', get: () => 5 }, ...MIN_MAX(-100000000000, 100000000000), ImeMode: IME_MODE },
  MoneyAttributeMetadata: {
    Precision: { edm: 'Edm.Int32', get: () => 2 },
    PrecisionSource: { edm: 'Edm.Int32', get: () => 2 },
    ...MIN_MAX(-922337203685477, 922337203685477),
    IsBaseCurrency: { edm: 'Edm.Boolean', get: (a) => a.logicalName.endsWith('_base') },
    ImeMode: IME_MODE,
  },
  BooleanAttributeMetadata: { DefaultValue: { edm: 'Edm.Boolean', get: () => false } },
  DateTimeAttributeMetadata: {
    Format: { edm: `${NS}.DateTimeFormat`, get: (a) => a.format ?? 'DateAndTime' },
    DateTimeBehavior: { edm: 'DateTimeBehavior', complex: { Value: 'Edm.String' }, get: (a) => ({ Value: a.dateTimeBehavior ?? 'UserLocal' }) },
    CanChangeDateTimeBehavior: {
      edm: 'BooleanManagedProperty',
      complex: MANAGED_PROPERTY,
      get: (a) => managedProperty((a.dateTimeBehavior ?? 'UserLocal') === 'UserLocal' && isCustomName(a.logicalName), false, 'canchangedatetimebehavior'),
    },
    MinSupportedValue: { edm: 'Edm.DateTimeOffset', get: () => '1753-01-01T00:00:00Z' },
    MaxSupportedValue: { edm: 'Edm.DateTimeOffset', get: () => '9999-12-30T23:59:59Z' },
    ImeMode: IME_MODE,
  },
  LookupAttributeMetadata: {
    Targets: { edm: 'Collection', get: (a) => a.targets ?? [] },
    Format: { edm: `${NS}.LookupFormat`, get: () => 'None' },
  },
  PicklistAttributeMetadata: DEFAULT_FORM_VALUE,
  MultiSelectPicklistAttributeMetadata: DEFAULT_FORM_VALUE,
  StateAttributeMetadata: DEFAULT_FORM_VALUE,
  StatusAttributeMetadata: DEFAULT_FORM_VALUE,
  EntityNameAttributeMetadata: { DefaultFormValue: { edm: 'Edm.Int32', get: () => null }, IsEntityReferenceStored: { edm: 'Edm.Boolean', get: () => false } },
  ImageAttributeMetadata: {
    MaxSizeInKB: { edm: 'Edm.Int32', get: () => 10240 },
    MaxHeight: { edm: 'Edm.Int16', get: () => 144 },
    MaxWidth: { edm: 'Edm.Int16', get: () => 144 },
    IsPrimaryImage: { edm: 'Edm.Boolean', get: (a) => a.logicalName === 'entityimage' },
    CanStoreFullImage: { edm: 'Edm.Boolean', get: () => true },
  },
  FileAttributeMetadata: { MaxSizeInKB: { edm: 'Edm.Int32', get: () => 32768 } },
  ManagedPropertyAttributeMetadata: {
    ManagedPropertyLogicalName: { edm: 'Edm.String', get: (a) => a.logicalName },
    ParentAttributeName: { edm: 'Edm.String', get: () => null },
    ParentComponentType: { edm: 'Edm.Int32', get: () => 1 },
    ValueAttributeTypeCode: { edm: `${NS}.AttributeTypeCode`, get: () => 'Boolean' },
  },
};

/** Types whose items expand `OptionSet` / `GlobalOptionSet`. */
export const OPTION_SET_TYPES = new Set([
  'PicklistAttributeMetadata',
  'MultiSelectPicklistAttributeMetadata',
  'StateAttributeMetadata',
  'StatusAttributeMetadata',
  'BooleanAttributeMetadata',
]);

/** Members of the enums the catalogs use, for `$filter` enum literals. */
export const ENUM_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  [`${NS}.AttributeTypeCode`]: [
    'Boolean', 'Customer', 'DateTime', 'Decimal', 'Double', 'Integer', 'Lookup', 'Memo', 'Money', 'Owner', 'PartyList', 'Picklist',
    'State', 'Status', 'String', 'Uniqueidentifier', 'CalendarRules', 'Virtual', 'BigInt', 'ManagedProperty', 'EntityName',
  ],
  [`${NS}.OwnershipTypes`]: ['None', 'UserOwned', 'TeamOwned', 'BusinessOwned', 'OrganizationOwned', 'BusinessParented', 'Filtered'],
  [`${NS}.AttributeRequiredLevel`]: ['None', 'SystemRequired', 'ApplicationRequired', 'Recommended'],
  [`${NS}.OptionSetType`]: ['Picklist', 'State', 'Status', 'Boolean'],
  [`${NS}.DateTimeFormat`]: ['DateOnly', 'DateAndTime'],
};

/** A `$filter` schema over one catalog; complex members one level deep, as the docs allow. */
export function catalogSchema<T>(typeName: string, catalog: Catalog<T>): FilterSchema {
  return {
    typeName: `${NS}.${typeName}`,
    typeOf(path) {
      const spec = catalog[path[0]];
      if (!spec) return undefined;
      if (path.length === 1) {
        if (spec.edm.includes('.')) return spec.edm;
        return { error: `The property '${path[0]}' of type '${spec.edm}' cannot be compared in $filter; use a primitive member such as '${path[0]}/Value' [INF].` };
      }
      if (path.length === 2 && spec.complex) return spec.complex[path[1]];
      return undefined;
    },
    enumMembers: (type) => ENUM_MEMBERS[type],
  };
}

/** Reads a property path of an item through a catalog (null for anything absent). */
export function catalogValue<T>(catalog: Catalog<T>, item: T, env: RenderEnv, path: readonly string[]): unknown {
  const spec = catalog[path[0]];
  if (!spec) return null;
  let value: unknown = spec.get(item, env);
  for (const member of path.slice(1)) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[member] : null;
  return value ?? null;
}
