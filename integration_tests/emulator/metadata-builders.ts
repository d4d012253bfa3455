/**
 * Small constructors for metadata worlds (the default one and generated ones): attributes with
 * their AttributeType derived from AttributeTypeName, local option sets, state/status pairs, and
 * the columns every entity has. Ids are derived from names, so a world built twice is identical.
 */
import { derivedGuid } from './metadata-labels';
import type { AttributeDef, AttributeTypeCode, EntityDef, OptionDef, OptionSetDef } from './model';

/** AttributeTypeName.Value -> AttributeType (facts §4: Image, File, MultiSelect are "Virtual"). */
export const TYPE_CODE_OF: Readonly<Record<string, AttributeTypeCode>> = {
  BigIntType: 'BigInt',
  BooleanType: 'Boolean',
  CalendarRulesType: 'CalendarRules',
  CustomerType: 'Customer',
  DateTimeType: 'DateTime',
  DecimalType: 'Decimal',
  DoubleType: 'Double',
  EntityNameType: 'EntityName',
  FileType: 'Virtual',
  ImageType: 'Virtual',
  IntegerType: 'Integer',
  LookupType: 'Lookup',
  ManagedPropertyType: 'ManagedProperty',
  MemoType: 'Memo',
  MoneyType: 'Money',
  MultiSelectPicklistType: 'Virtual',
  OwnerType: 'Owner',
  PartyListType: 'PartyList',
  PicklistType: 'Picklist',
  StateType: 'State',
  StatusType: 'Status',
  StringType: 'String',
  UniqueidentifierType: 'Uniqueidentifier',
  VirtualType: 'Virtual',
};

/** `new_tags` -> `new_Tags`, `industrycode` -> `Industrycode` (good enough for invented columns). */
export function schemaNameOf(logicalName: string): string {
  const m = /^([a-z0-9]+_)(.*)$/.exec(logicalName);
  const cap = (s: string) => s.replace(/^./, (c) => c.toUpperCase());
  return m ? `${m[1]}${cap(m[2])}` : cap(logicalName);
}

/** An attribute of `entity`; everything not given is derived (ids from the names). */
export function attr(entity: string, logicalName: string, typeName: string, extra: Partial<AttributeDef> = {}): AttributeDef {
  const attributeType = TYPE_CODE_OF[typeName];
  if (!attributeType) throw new Error(`unknown AttributeTypeName ${typeName}`);
  return {
    logicalName,
    schemaName: schemaNameOf(logicalName),
    attributeType,
    attributeTypeName: typeName,
    attributeOf: null,
    metadataId: extra.metadataId ?? derivedGuid(entity, logicalName, 'attribute'),
    isValidForRead: true,
    isPrimaryId: false,
    isPrimaryName: false,
    ...(typeName === 'DateTimeType' ? { dateTimeBehavior: 'UserLocal' as const, format: 'DateAndTime' as const } : {}),
    ...extra,
  };
}

/** Labels by language for one option: a plain string is the 1033 label. */
export type Labels = string | Record<number, string>;
const labelsOf = (labels: Labels): Record<number, string> => (typeof labels === 'string' ? { 1033: labels } : labels);

/** A local option set named `<entity>_<attribute>` (the service's naming, e.g. account_industrycode). */
export function localOptionSet(
  entity: string,
  attribute: string,
  optionSetType: OptionSetDef['optionSetType'],
  options: Array<[number, Labels]>,
  extra: Partial<OptionSetDef> = {},
): OptionSetDef {
  return {
    name: `${entity}_${attribute}`,
    metadataId: derivedGuid(entity, attribute, 'optionset'),
    isGlobal: false,
    optionSetType,
    options: options.map(([value, labels]) => ({ value, labels: labelsOf(labels) })),
    ...extra,
  };
}

/** One state: value, labels, invariant name and default status. */
export interface StateSpec {
  value: number;
  labels: Labels;
  invariantName: string;
  defaultStatus: number;
}

/** One status reason: value, labels and its state. */
export interface StatusSpec {
  value: number;
  labels: Labels;
  state: number;
}

/** `statecode` (State) and `statuscode` (Status) with their local option sets. */
export function stateAndStatus(entity: string, states: StateSpec[], statuses: StatusSpec[]): [AttributeDef, AttributeDef] {
  const stateOptions: OptionDef[] = states.map((s) => ({ value: s.value, labels: labelsOf(s.labels), invariantName: s.invariantName, defaultStatus: s.defaultStatus }));
  const statusOptions: OptionDef[] = statuses.map((s) => ({ value: s.value, labels: labelsOf(s.labels), state: s.state }));
  return [
    attr(entity, 'statecode', 'StateType', { schemaName: 'StateCode', optionSet: { ...localOptionSet(entity, 'statecode', 'State', []), options: stateOptions } }),
    attr(entity, 'statuscode', 'StatusType', { schemaName: 'StatusCode', optionSet: { ...localOptionSet(entity, 'statuscode', 'Status', []), options: statusOptions } }),
  ];
}

/** The Virtual `<attribute>name` shadow column of an option-set column (no `@odata.type`). */
export function nameShadow(entity: string, of: AttributeDef): AttributeDef {
  return attr(entity, `${of.logicalName}name`, 'VirtualType', { schemaName: `${of.schemaName}Name`, attributeOf: of.logicalName });
}

/** A lookup (or Customer/Owner) with its String `...name` shadow (as transactioncurrencyidname in attributes-account.json). */
export function lookupWithName(entity: string, logicalName: string, typeName: 'LookupType' | 'CustomerType' | 'OwnerType', targets: string[]): AttributeDef[] {
  const lookup = attr(entity, logicalName, typeName, { targets });
  return [lookup, attr(entity, `${logicalName}name`, 'StringType', { schemaName: `${lookup.schemaName}Name`, attributeOf: logicalName })];
}

/** createdon and modifiedon: DateTime, UserLocal, on every entity. */
export function auditColumns(entity: string): AttributeDef[] {
  return [attr(entity, 'createdon', 'DateTimeType', { schemaName: 'CreatedOn' }), attr(entity, 'modifiedon', 'DateTimeType', { schemaName: 'ModifiedOn' })];
}

/**
 * ownerid (Owner -> systemuser/team) and its shadows owneridtype (EntityName), owneridname and
 * owneridyominame (String), all AttributeOf ownerid and not Web API properties
 * (IsValidODataAttribute false [DOC facts §9]).
 */
export function ownerColumns(entity: string): AttributeDef[] {
  return [
    attr(entity, 'ownerid', 'OwnerType', { schemaName: 'OwnerId', targets: ['systemuser', 'team'] }),
    ...ownerShadows(entity),
  ];
}

/** The shadows of ownerid: owneridtype, owneridname, owneridyominame. */
export function ownerShadows(entity: string, only?: readonly string[]): AttributeDef[] {
  const all = [
    attr(entity, 'owneridtype', 'EntityNameType', { schemaName: 'OwnerIdType', attributeOf: 'ownerid' }),
    attr(entity, 'owneridname', 'StringType', { schemaName: 'OwnerIdName', attributeOf: 'ownerid' }),
    attr(entity, 'owneridyominame', 'StringType', { schemaName: 'OwnerIdYomiName', attributeOf: 'ownerid' }),
  ];
  return only ? all.filter((a) => only.includes(a.logicalName)) : all;
}

/** Money columns need the currency: exchangerate (Decimal) and transactioncurrencyid (Lookup). */
export function currencyColumns(entity: string): AttributeDef[] {
  return [attr(entity, 'exchangerate', 'DecimalType', { schemaName: 'ExchangeRate' }), ...lookupWithName(entity, 'transactioncurrencyid', 'LookupType', ['transactioncurrency'])];
}

/** The primary id and primary name columns. */
export function primaryColumns(entity: string, idName: string, nameName: string): AttributeDef[] {
  return [attr(entity, idName, 'UniqueidentifierType', { isPrimaryId: true }), attr(entity, nameName, 'StringType', { isPrimaryName: true })];
}

/** An entity; the set name is the logical name plus "s" unless given. */
export function entity(logicalName: string, objectTypeCode: number, attributes: AttributeDef[], extra: Partial<EntityDef> = {}): EntityDef {
  const primaryId = attributes.find((a) => a.isPrimaryId)?.logicalName ?? `${logicalName}id`;
  const primaryName = attributes.find((a) => a.isPrimaryName)?.logicalName ?? 'name';
  return {
    logicalName,
    entitySetName: `${logicalName}s`,
    primaryIdAttribute: primaryId,
    primaryNameAttribute: primaryName,
    objectTypeCode,
    changeTrackingEnabled: true,
    metadataId: extra.metadataId ?? derivedGuid(logicalName, 'entity'),
    attributes,
    ...extra,
  };
}
