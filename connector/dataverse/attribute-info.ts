/**
 * One attribute of the Attributes answer -> {@link AttributeInfo}, the shape the column rule
 * (`leftOut`, `columnOf` in entity-schema.ts) reads. The metadata streams build it here and pass
 * it to the same rule entity streams use, so `attribute_metadata.column` cannot disagree with the
 * entity stream's schema.
 */

/** One attribute as the metadata describes it. */
export interface AttributeInfo {
  logicalName: string;
  attributeType: string;
  /** AttributeTypeName.Value, e.g. MultiSelectPicklistType, ImageType. */
  typeName: string;
  attributeOf: string | null;
  isValidForRead: boolean;
  /** IsValidODataAttribute: a Web API property (absent from the answer: true unless AttributeOf is set). */
  isValidODataAttribute: boolean;
  /** Lookup, Customer, Owner: the tables it can point to (LookupAttributeMetadata.Targets). */
  targets?: string[];
  /** DateTime columns: DateTimeBehavior.Value (UserLocal, DateOnly, TimeZoneIndependent). */
  dateTimeBehavior?: string;
  format?: string;
}

/** What the casts add to an attribute: DateTimeAttributeMetadata and LookupAttributeMetadata properties. */
export interface AttributeDetails {
  /** DateTimeBehavior.Value: UserLocal, DateOnly, TimeZoneIndependent. */
  dateTimeBehavior?: string;
  /** DateTime Format: DateOnly, DateAndTime. */
  format?: string;
  /** LookupAttributeMetadata.Targets. */
  targets?: string[];
}

/**
 * The attribute as the column rule sees it. IsValidODataAttribute absent from an answer counts as
 * true unless AttributeOf is set (a shadow), as EntityMetadataProvider reads it.
 */
export function attributeInfoOf(raw: Record<string, unknown>, details: AttributeDetails = {}): AttributeInfo {
  const attributeOf = typeof raw.AttributeOf === 'string' ? raw.AttributeOf : null;
  const info: AttributeInfo = {
    logicalName: String(raw.LogicalName),
    attributeType: String(raw.AttributeType),
    typeName: String((raw.AttributeTypeName as { Value?: unknown } | undefined)?.Value ?? `${String(raw.AttributeType)}Type`),
    attributeOf,
    isValidForRead: raw.IsValidForRead !== false,
    isValidODataAttribute: typeof raw.IsValidODataAttribute === 'boolean' ? raw.IsValidODataAttribute : attributeOf === null,
    dateTimeBehavior: details.dateTimeBehavior,
    format: details.format,
  };
  if (details.targets) info.targets = details.targets;
  return info;
}
