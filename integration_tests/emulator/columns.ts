/**
 * Which attributes of an entity are properties of its Web API rows, under which names, and what a
 * `$select` asks for.
 *
 * Facts §4/§5/§9 and the attribute fixtures: lookups, Customer and Owner columns are `_<name>_value`;
 * attributes with IsValidODataAttribute false (the shadows `...name`, `...yominame`, `owneridtype`)
 * and plain Virtual attributes are not properties, so selecting them is the 400 "Could not find a
 * property named" (error-400-bad-select.json).
 * MultiSelectPicklist is AttributeType Virtual but is a property (a comma string).
 * Image and File columns are properties that a query without `$select` leaves out: image data is
 * returned only when selected, and a file column returns its file id (docs image-column-data.md,
 * "Return with Retrieve"; that neither appears without `$select` is [INF] from the older
 * "EntityImage is not included when ColumnSet.AllColumns is true").
 */
import { stringHash } from './hash';
import { isODataProperty, type AttributeDef, type EntityDef } from './model';

/** How a column's values are generated, formatted and rendered. */
export type ColumnKind =
  | 'primaryid'
  | 'uniqueidentifier'
  | 'string'
  | 'memo'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'double'
  | 'money'
  | 'boolean'
  | 'datetime'
  | 'dateonly'
  | 'lookup'
  | 'choice'
  | 'multiselect'
  | 'entityname'
  | 'image'
  | 'file';

/** One row property. */
export interface Column {
  attr: AttributeDef;
  /** The payload name: the logical name, or `_<name>_value` for lookups. */
  property: string;
  kind: ColumnKind;
  /** Returned only when named in `$select` (Image, File). */
  selectOnly: boolean;
  /** Hash of the logical name: the column's input to value generation. */
  hash: number;
}

/** The kind of an attribute that is a row property, or null when it is not one. */
function kindOf(def: EntityDef, attr: AttributeDef): ColumnKind | null {
  // [DOC facts §9] IsValidODataAttribute decides, not AttributeOf: entityimage_url is a property.
  if (!attr.isValidForRead || !isODataProperty(attr)) return null;
  if (attr.logicalName === def.primaryIdAttribute) return 'primaryid';
  switch (attr.attributeType) {
    case 'Uniqueidentifier':
      return 'uniqueidentifier';
    case 'String':
      return 'string';
    case 'Memo':
      return 'memo';
    case 'Integer':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Decimal':
      return 'decimal';
    case 'Double':
      return 'double';
    case 'Money':
      return 'money';
    case 'Boolean':
      return 'boolean';
    case 'DateTime':
      // [DOC facts §9] the wire type follows the behavior: UserLocal is a DateTimeOffset even when
      // the display Format is DateOnly; only DateOnly behavior is an Edm.Date.
      return attr.dateTimeBehavior === 'DateOnly' ? 'dateonly' : 'datetime';
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return 'lookup';
    case 'Picklist':
    case 'State':
    case 'Status':
      return 'choice';
    case 'EntityName':
      return 'entityname';
    case 'Virtual':
      if (attr.attributeTypeName === 'MultiSelectPicklistType') return 'multiselect';
      if (attr.attributeTypeName === 'ImageType') return 'image';
      if (attr.attributeTypeName === 'FileType') return 'file';
      return null;
    default:
      // PartyList (activity parties are a collection navigation), CalendarRules, ManagedProperty
      // (a complex value): not flat row properties here [INF].
      return null;
  }
}

/** The entity's row properties, in attribute order. */
export function entityColumns(def: EntityDef): Column[] {
  const columns: Column[] = [];
  for (const attr of def.attributes) {
    const kind = kindOf(def, attr);
    if (kind === null) continue;
    const property = kind === 'lookup' ? `_${attr.logicalName}_value` : attr.logicalName;
    columns.push({ attr, property, kind, selectOnly: kind === 'image' || kind === 'file', hash: stringHash(attr.logicalName) });
  }
  return columns;
}

/** What a request selected: the columns in output order, and the `$select` names for the context URL. */
export interface Selection {
  columns: Column[];
  /** The `$select` items (deduplicated, as given), or null without `$select`. */
  names: string[] | null;
}

/** The service's message for an unknown property (fixture error-400-bad-select.json). */
export function unknownPropertyMessage(def: EntityDef, name: string): string {
  return `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${def.logicalName}'.`;
}

/**
 * Resolves `$select` (case-sensitive names) into output columns: the selected ones in the order
 * given, then `_transactioncurrencyid_value` when a Money column is selected (the service adds it,
 * facts §5), then the primary key, which is always returned. Without `$select`: every column that
 * is not select-only, in attribute order.
 */
export function resolveSelect(def: EntityDef, columns: readonly Column[], raw: string | null): Selection | { error: string } {
  const byProperty = new Map(columns.map((c) => [c.property, c]));
  const primary = columns.find((c) => c.kind === 'primaryid');
  if (raw === null) return { columns: columns.filter((c) => !c.selectOnly), names: null };
  const names: string[] = [];
  const out: Column[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    const column = byProperty.get(item);
    if (!column) return { error: unknownPropertyMessage(def, item) };
    if (names.includes(item)) continue;
    names.push(item);
    out.push(column);
  }
  const currency = byProperty.get('_transactioncurrencyid_value');
  if (currency && out.some((c) => c.kind === 'money') && !out.includes(currency)) out.push(currency);
  if (primary && !out.includes(primary)) out.push(primary);
  return { columns: out, names };
}
