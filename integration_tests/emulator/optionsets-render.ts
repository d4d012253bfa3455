/**
 * Option sets as JSON: OptionMetadata (and its Status/State variants), OptionSetMetadata and
 * BooleanOptionSetMetadata, whole or `$select`ed. Shapes follow the fixtures
 * picklist-account-accountcategorycode.json (current picklist options), status-attribute.json,
 * state-attribute.json, multiselect.json / boolean.json (custom sets, full OptionSet),
 * globaloptionset-single.json and globaloptionsetdefinitions.json (global sets).
 */
import { labelJson } from './metadata-labels';
import type { OptionDef, OptionSetDef } from './model';
import type { EdmType } from './odata-filter';

/** Qualified name of an option set's entity type. */
export function optionSetTypeName(set: OptionSetDef): string {
  return set.optionSetType === 'Boolean' ? 'Microsoft.Dynamics.CRM.BooleanOptionSetMetadata' : 'Microsoft.Dynamics.CRM.OptionSetMetadata';
}

const isManaged = (set: OptionSetDef) => set.isManaged ?? true;

/**
 * One option. Status and State options carry their derived `@odata.type` because Options is
 * declared as OptionMetadata; they have no Tag/IsHidden (fixtures status-attribute.json,
 * state-attribute.json), and neither do options of sets marked `legacyOptionShape`.
 */
export function optionJson(set: OptionSetDef, option: OptionDef, userLanguage: number): Record<string, unknown> {
  const managed = isManaged(set);
  const out: Record<string, unknown> = {};
  if (set.optionSetType === 'Status') out['@odata.type'] = '#Microsoft.Dynamics.CRM.StatusOptionMetadata';
  if (set.optionSetType === 'State') out['@odata.type'] = '#Microsoft.Dynamics.CRM.StateOptionMetadata';
  out.Value = option.value;
  out.Color = option.color ?? null;
  out.IsManaged = managed;
  out.ExternalValue = option.externalValue ?? null;
  out.ParentValues = [];
  if (set.optionSetType === 'Picklist' && !set.legacyOptionShape) {
    out.Tag = null;
    out.IsHidden = false;
  }
  out.MetadataId = null;
  out.HasChanged = null;
  if (set.optionSetType === 'Status') {
    out.State = option.state ?? 0;
    out.TransitionData = null;
  }
  if (set.optionSetType === 'State') {
    out.DefaultStatus = option.defaultStatus ?? null;
    out.InvariantName = option.invariantName ?? null;
  }
  out.Label = labelJson(option.labels, option.labelIds, set.metadataId, `option:${option.value}:label`, managed, userLanguage);
  out.Description = labelJson(option.descriptions, option.descriptionIds, set.metadataId, `option:${option.value}:description`, managed, userLanguage);
  return out;
}

interface OptionSetProperty {
  edm: EdmType;
  /** Boolean sets have TrueOption/FalseOption instead of Options, and no ParentOptionSetName. */
  only?: 'Boolean' | 'notBoolean';
  get(set: OptionSetDef, userLanguage: number): unknown;
}

const booleanOption = (set: OptionSetDef, value: number, userLanguage: number) => {
  const option = set.options.find((o) => o.value === value);
  return option ? optionJson(set, option, userLanguage) : null;
};

/**
 * The properties of OptionSetMetadata / BooleanOptionSetMetadata in the order an expanded
 * `OptionSet` lists them (multiselect.json).
 */
const OPTION_SET_PROPERTIES: Record<string, OptionSetProperty> = {
  MetadataId: { edm: 'Edm.Guid', get: (s) => s.metadataId },
  HasChanged: { edm: 'Edm.Boolean', get: () => null },
  IsCustomOptionSet: { edm: 'Edm.Boolean', get: (s) => s.isCustomOptionSet ?? !isManaged(s) },
  IsGlobal: { edm: 'Edm.Boolean', get: (s) => s.isGlobal },
  IsManaged: { edm: 'Edm.Boolean', get: (s) => isManaged(s) },
  Name: { edm: 'Edm.String', get: (s) => s.name },
  ExternalTypeName: { edm: 'Edm.String', get: (s) => s.externalTypeName ?? null },
  OptionSetType: { edm: 'Microsoft.Dynamics.CRM.OptionSetType', get: (s) => s.optionSetType },
  IntroducedVersion: { edm: 'Edm.String', get: (s) => (s.introducedVersion !== undefined ? s.introducedVersion : isManaged(s) ? '1.0' : '1.0.0.0') },
  ParentOptionSetName: { edm: 'Edm.String', only: 'notBoolean', get: () => null },
  Description: { edm: 'Label', get: (s, l) => labelJson(s.description, s.descriptionIds, s.metadataId, 'description', isManaged(s), l) },
  DisplayName: { edm: 'Label', get: (s, l) => labelJson(s.displayName, s.displayNameIds, s.metadataId, 'displayname', isManaged(s), l) },
  IsCustomizable: {
    edm: 'BooleanManagedProperty',
    get: (s) => ({ Value: true, CanBeChanged: s.customizableCanBeChanged ?? !isManaged(s), ManagedPropertyLogicalName: 'iscustomizable' }),
  },
  Options: { edm: 'Collection', only: 'notBoolean', get: (s, l) => s.options.map((o) => optionJson(s, o, l)) },
  TrueOption: { edm: 'OptionMetadata', only: 'Boolean', get: (s, l) => booleanOption(s, 1, l) },
  FalseOption: { edm: 'OptionMetadata', only: 'Boolean', get: (s, l) => booleanOption(s, 0, l) },
};

/** The order GlobalOptionSetDefinitions lists a set's properties (globaloptionset-single.json). */
const GLOBAL_ORDER = [
  'ParentOptionSetName',
  'IsCustomOptionSet',
  'IsGlobal',
  'IsManaged',
  'Name',
  'ExternalTypeName',
  'OptionSetType',
  'IntroducedVersion',
  'MetadataId',
  'HasChanged',
  'Options',
  'TrueOption',
  'FalseOption',
  'Description',
  'DisplayName',
  'IsCustomizable',
];

/** Which option-set entity type a check is about: the base type, OptionSetMetadata or BooleanOptionSetMetadata. */
export type OptionSetKind = 'base' | 'options' | 'boolean';

/** The kind of a concrete set. */
export const optionSetKind = (set: OptionSetDef): OptionSetKind => (set.optionSetType === 'Boolean' ? 'boolean' : 'options');

function applies(property: OptionSetProperty, kind: OptionSetKind): boolean {
  if (!property.only) return true;
  if (kind === 'base') return false;
  return property.only === 'Boolean' ? kind === 'boolean' : kind === 'options';
}

/**
 * Whether `name` is a property of that option-set type (`'base'`: OptionSetMetadataBase, the
 * declared type of GlobalOptionSetDefinitions, which has neither Options nor TrueOption).
 */
export function isOptionSetProperty(name: string, kind: OptionSetKind): boolean {
  const property = OPTION_SET_PROPERTIES[name];
  return property !== undefined && applies(property, kind);
}

/** The qualified type name of a kind, for messages. */
export function optionSetKindTypeName(kind: OptionSetKind): string {
  return kind === 'base' ? 'OptionSetMetadataBase' : kind === 'boolean' ? 'BooleanOptionSetMetadata' : 'OptionSetMetadata';
}

/** The Edm type of an option-set property, for `$filter` on GlobalOptionSetDefinitions. */
export function optionSetPropertyType(path: readonly string[]): EdmType | undefined | { error: string } {
  const property = OPTION_SET_PROPERTIES[path[0]];
  if (!property || property.only) return undefined;
  if (path.length === 1) {
    return property.edm.includes('.') ? property.edm : { error: `The property '${path[0]}' cannot be used in $filter [INF].` };
  }
  if (property.edm === 'BooleanManagedProperty' && path.length === 2) {
    return path[1] === 'Value' || path[1] === 'CanBeChanged' ? 'Edm.Boolean' : path[1] === 'ManagedPropertyLogicalName' ? 'Edm.String' : undefined;
  }
  return undefined;
}

/** Reads a property (or `IsCustomizable/Value`) of a set, for `$filter` evaluation. */
export function optionSetValue(set: OptionSetDef, path: readonly string[], userLanguage: number): unknown {
  const property = OPTION_SET_PROPERTIES[path[0]];
  if (!property || !applies(property, optionSetKind(set))) return null;
  let value: unknown = property.get(set, userLanguage);
  for (const member of path.slice(1)) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[member] : null;
  return value;
}

/**
 * An option set as JSON: the selected properties (in `$select` order, `MetadataId` always
 * included), or all of them when `select` is null — in the expanded-navigation order, or in the
 * GlobalOptionSetDefinitions order when `order` is `'global'`.
 */
export function optionSetJson(set: OptionSetDef, select: readonly string[] | null, userLanguage: number, order: 'expanded' | 'global' = 'expanded'): Record<string, unknown> {
  const names = select ? [...select, ...(select.includes('MetadataId') ? [] : ['MetadataId'])] : order === 'global' ? GLOBAL_ORDER : Object.keys(OPTION_SET_PROPERTIES);
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const property = OPTION_SET_PROPERTIES[name];
    if (property && applies(property, optionSetKind(set))) out[name] = property.get(set, userLanguage);
  }
  return out;
}
