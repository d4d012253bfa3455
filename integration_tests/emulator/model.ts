/**
 * The emulated org's metadata as plain data: entities, their attributes, option sets. Route
 * modules render Dataverse's JSON shapes from it (metadata.ts, option sets, $batch) and the
 * entity-set routes use it to validate `$select` and to generate rows.
 */

/** AttributeMetadata.AttributeType (AttributeTypeCode). */
export type AttributeTypeCode =
  | 'BigInt'
  | 'Boolean'
  | 'CalendarRules'
  | 'Customer'
  | 'DateTime'
  | 'Decimal'
  | 'Double'
  | 'EntityName'
  | 'Integer'
  | 'Lookup'
  | 'ManagedProperty'
  | 'Memo'
  | 'Money'
  | 'Owner'
  | 'PartyList'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'String'
  | 'Uniqueidentifier'
  | 'Virtual';

/** One option of an option set. Labels are keyed by language code (LCID). */
export interface OptionDef {
  value: number;
  labels: Record<number, string>;
  descriptions?: Record<number, string>;
  color?: string | null;
  externalValue?: string | null;
  /** Status options: the statecode value they belong to. */
  state?: number;
  /** State options: their default status and invariant name. */
  defaultStatus?: number;
  invariantName?: string;
  /** MetadataId of each localized label, by language code; absent ones are derived from the set's id. */
  labelIds?: LabelIds;
  descriptionIds?: LabelIds;
}

/** MetadataIds of the LocalizedLabels of one Label, keyed by language code (LCID). */
export type LabelIds = Record<number, string>;

export interface OptionSetDef {
  name: string;
  metadataId: string;
  isGlobal: boolean;
  optionSetType: 'Picklist' | 'State' | 'Status' | 'Boolean';
  /** For Boolean sets: exactly two options, values 0 (FalseOption) and 1 (TrueOption). */
  options: OptionDef[];
  displayName?: Record<number, string>;
  /** Optional rendering details; defaults suit a system (managed) set of a current org. */
  description?: Record<number, string>;
  displayNameIds?: LabelIds;
  descriptionIds?: LabelIds;
  /** Default true; also the IsManaged of its options and labels. */
  isManaged?: boolean;
  /** Default `!isManaged`. */
  isCustomOptionSet?: boolean;
  /** Default `"1.0"` for managed sets, `"1.0.0.0"` for custom ones. */
  introducedVersion?: string | null;
  /** Default null. */
  externalTypeName?: string | null;
  /** IsCustomizable.CanBeChanged; default `!isManaged`. */
  customizableCanBeChanged?: boolean;
  /** Options without `Tag`/`IsHidden`, as older and custom sets are returned (facts §4). */
  legacyOptionShape?: boolean;
}

export interface AttributeDef {
  logicalName: string;
  schemaName: string;
  attributeType: AttributeTypeCode;
  /** AttributeTypeName.Value, e.g. `MultiSelectPicklistType`, `ImageType`, `FileType`. */
  attributeTypeName: string;
  /** Shadow attributes (`...name`, `...yominame`, `owneridtype`) name the attribute they belong to. */
  attributeOf: string | null;
  metadataId: string;
  isValidForRead: boolean;
  /**
   * IsValidODataAttribute: whether the attribute is a Web API property. Absent: true unless it is a
   * shadow (AttributeOf set). See {@link isODataProperty}.
   */
  isValidODataAttribute?: boolean;
  isPrimaryId: boolean;
  isPrimaryName: boolean;
  /** DateTime columns: DateTimeBehavior.Value and Format. */
  dateTimeBehavior?: 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';
  format?: 'DateOnly' | 'DateAndTime';
  /** Lookup / Customer / Owner: the entities it can point to. */
  targets?: string[];
  /** Decimal / Money: Precision (decimals); absent: 2 (10 for exchangerate). */
  precision?: number;
  /**
   * Rows carry values a double cannot hold: BigInt past 2^53, Decimal with all its 10 decimals
   * (facts §9 "Numbers"), rendered as exact JSON number text.
   */
  exactDigits?: boolean;
  /** Picklist, MultiSelectPicklist, State, Status, Boolean: the option set (the same object as the global one for global sets). */
  optionSet?: OptionSetDef;
  /** DisplayName texts by language; absent: the 1033 text derived from the schema name. */
  displayName?: Record<number, string>;
  /** Description texts by language (`""` allowed, as real labels have); absent: an empty label. */
  description?: Record<number, string>;
  /** RequiredLevel.Value; absent: SystemRequired for the primary id and name, else None. */
  requiredLevel?: 'None' | 'SystemRequired' | 'ApplicationRequired' | 'Recommended';
  /** String / Memo MaxLength; absent: 160 for the primary name, 100 other strings, 2000 memos. */
  maxLength?: number;
}

export interface EntityDef {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  objectTypeCode: number;
  changeTrackingEnabled: boolean;
  metadataId: string;
  attributes: AttributeDef[];
  /** The application user's role lacks prvRead<Entity>: reads answer 403 0x80040220. */
  readDenied?: boolean;
  /**
   * Depth of the role's prvRead<Entity> (PrivilegeDepth: Basic = user, Local = business unit,
   * Deep = parent:child business units, Global = organization); default Global. Plain reads work
   * at any depth; change tracking needs Global (facts §9), else 403 0x80040220.
   */
  readDepth?: 'Basic' | 'Local' | 'Deep' | 'Global';
  /** Optional: SchemaName (default derived from the logical name), DisplayName labels and their ids. */
  schemaName?: string;
  displayName?: Record<number, string>;
  displayNameIds?: LabelIds;
  /** DisplayCollectionName texts; absent: each DisplayName text plus "s". */
  displayCollectionName?: Record<number, string>;
  /** Description texts by language; absent: an empty label. */
  description?: Record<number, string>;
  /** IsActivity (appointment, email, ...); default false. */
  isActivity?: boolean;
}

/** The metadata part of the org. */
export interface OrgMetadata {
  /** Keyed by logical name. */
  entities: Record<string, EntityDef>;
  /** Keyed by option set name. */
  globalOptionSets: Record<string, OptionSetDef>;
  /** The application user's language: picks `UserLocalizedLabel`. */
  userLanguage: number;
}

/**
 * AttributeMetadata.IsValidODataAttribute: "whether the attribute represents a property that is
 * available in the Web API" [DOC facts §9]. Lookup shadows (`owneridname`, `owneridtype`,
 * `...yominame`) and option-set `...name` shadows are not; `entityimage_url`, whose AttributeOf is
 * `entityimage`, is [REAL facts §9], so AttributeOf alone does not decide.
 */
export function isODataProperty(attr: AttributeDef): boolean {
  return attr.isValidODataAttribute ?? attr.attributeOf === null;
}
