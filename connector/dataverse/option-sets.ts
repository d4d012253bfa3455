/**
 * Flattens Dataverse option-set metadata into picklist records: one record per option, with every
 * localized label. Handles the five column kinds: Options lists (Picklist, MultiSelectPicklist,
 * State, Status) and the TrueOption/FalseOption pair of Boolean columns.
 */
import { ResponseError } from '../errors';
import type { PicklistRecord } from '../generated/picklist-record';

export type OptionSetKind = 'Picklist' | 'MultiSelectPicklist' | 'State' | 'Status' | 'Boolean';
export const OPTION_SET_KINDS: readonly OptionSetKind[] = ['Picklist', 'MultiSelectPicklist', 'State', 'Status', 'Boolean'];

export interface LocalizedLabel {
  Label?: unknown;
  LanguageCode?: unknown;
}
/** A Label complex value: every localized text and the one in the user's language. */
export interface LabelSet {
  LocalizedLabels?: LocalizedLabel[];
  UserLocalizedLabel?: LocalizedLabel | null;
}
interface OptionMetadata {
  Value?: unknown;
  Label?: LabelSet | null;
  Description?: LabelSet | null;
  Color?: unknown;
  ExternalValue?: unknown;
  State?: unknown;
}
interface OptionSetMetadata {
  Name?: unknown;
  IsGlobal?: unknown;
  Options?: OptionMetadata[];
  TrueOption?: OptionMetadata | null;
  FalseOption?: OptionMetadata | null;
}
/** One item of an attribute-cast collection with its OptionSet expanded. */
export interface AttributeWithOptionSet {
  LogicalName?: unknown;
  OptionSet?: OptionSetMetadata | null;
  GlobalOptionSet?: OptionSetMetadata | null;
}

/** "" and missing both become null: a label that is not there is not an empty label. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export function labels(set: LabelSet | null | undefined): Array<{ language_code: number; label: string }> {
  const out: Array<{ language_code: number; label: string }> = [];
  for (const l of set?.LocalizedLabels ?? []) {
    if (typeof l.LanguageCode === 'number' && typeof l.Label === 'string' && l.Label !== '') out.push({ language_code: l.LanguageCode, label: l.Label });
  }
  return out;
}

function optionsOf(kind: OptionSetKind, set: OptionSetMetadata, where: string): OptionMetadata[] {
  if (kind === 'Boolean') {
    const pair = [set.FalseOption, set.TrueOption].filter((o): o is OptionMetadata => !!o);
    if (pair.length !== 2) throw new ResponseError(`${where}: a Boolean option set without TrueOption and FalseOption`);
    return pair;
  }
  if (!Array.isArray(set.Options)) throw new ResponseError(`${where}: the option set has no Options list`);
  return set.Options;
}

/** The picklist records of one attribute. */
export function flattenAttribute(entity: string, kind: OptionSetKind, attribute: AttributeWithOptionSet): PicklistRecord[] {
  const name = String(attribute.LogicalName ?? '');
  const where = `option set of ${entity}.${name}`;
  const set = attribute.OptionSet ?? attribute.GlobalOptionSet;
  if (!set) throw new ResponseError(`${where} was not returned (OptionSet not expanded)`);
  return optionsOf(kind, set, where).map((option) => {
    if (typeof option.Value !== 'number' || !Number.isInteger(option.Value)) throw new ResponseError(`${where}: an option without an integer Value`);
    return {
      entity,
      attribute: name,
      attribute_type: kind,
      option_set_name: text(set.Name),
      is_global: set.IsGlobal === true,
      value: option.Value,
      label: text(option.Label?.UserLocalizedLabel?.Label),
      labels: labels(option.Label),
      description: text(option.Description?.UserLocalizedLabel?.Label),
      color: text(option.Color),
      external_value: text(option.ExternalValue),
      state: kind === 'Status' && typeof option.State === 'number' ? option.State : null,
    };
  });
}
