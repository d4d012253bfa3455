/**
 * Label complex values (`{LocalizedLabels, UserLocalizedLabel}`) and the deterministic ids the
 * emulator invents for labels a world does not spell out.
 */
import type { LabelIds } from './model';

/** One LocalizedLabel as the service writes it (fixture picklist-account-accountcategorycode.json). */
export interface LocalizedLabelJson {
  Label: string;
  LanguageCode: number;
  IsManaged: boolean;
  MetadataId: string;
  HasChanged: null;
}

/** The Label complex type. */
export interface LabelJson {
  LocalizedLabels: LocalizedLabelJson[];
  UserLocalizedLabel: LocalizedLabelJson | null;
}

/** 32-bit FNV-1a of `text`, starting from `basis`. */
function fnv1a(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A GUID derived from `parts`: the same parts always give the same id, so generated worlds need
 * no stored label ids and stay stable across runs. Shaped like a name-based (version 5) GUID, as
 * the uuid5 placeholders of the SYNTH fixtures are.
 */
export function derivedGuid(...parts: Array<string | number>): string {
  const text = parts.join('|');
  const hex = [0x811c9dc5, 0x01234567, 0x89abcdef, 0x5bd1e995].map((basis) => fnv1a(text, basis).toString(16).padStart(8, '0')).join('');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A Label: every localized text (in ascending language code order), and `UserLocalizedLabel` the
 * one in the user's language, else null. Texts may be `""` (the REAL capture in
 * globaloptionsetdefinitions.json has empty descriptions as labels); absent texts give an empty
 * label `{LocalizedLabels: [], UserLocalizedLabel: null}`.
 *
 * @param owner  MetadataId of what the label belongs to, and `kind` what it is, for derived ids.
 */
export function labelJson(
  texts: Record<number, string> | undefined,
  ids: LabelIds | undefined,
  owner: string,
  kind: string,
  isManaged: boolean,
  userLanguage: number,
): LabelJson {
  const localized: LocalizedLabelJson[] = [];
  let user: LocalizedLabelJson | null = null;
  for (const [lang, text] of Object.entries(texts ?? {})) {
    const code = Number(lang);
    const entry: LocalizedLabelJson = {
      Label: text,
      LanguageCode: code,
      IsManaged: isManaged,
      MetadataId: ids?.[code] ?? derivedGuid(owner, kind, code),
      HasChanged: null,
    };
    localized.push(entry);
    if (code === userLanguage) user = { ...entry };
  }
  return { LocalizedLabels: localized, UserLocalizedLabel: user };
}

/** Splits `SomeSchemaName` / `some_name` into words for invented display names. */
export function displayTextOf(schemaName: string): string {
  return schemaName
    .replace(/^[a-z]+_/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/^./, (c) => c.toUpperCase());
}
