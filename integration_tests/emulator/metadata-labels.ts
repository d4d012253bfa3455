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

/** Lowercase hex of a 32-bit unsigned integer, 8 digits. */
const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

/**
 * One FNV-1a step: xor, then multiply by the FNV prime 0x01000193 written as shifts and adds.
 * Not Math.imul: under jest's sandbox every Math.imul call is ~100x slower than in plain node.
 */
function fnvStep(h: number, ch: number): number {
  const x = h ^ ch;
  return (x + (x << 1) + (x << 4) + (x << 7) + (x << 8) + (x << 24)) | 0;
}

/**
 * A GUID derived from `parts`: the same parts always give the same id, so worlds need no stored
 * label ids and stay stable across runs. Four FNV-1a variants over the text in one pass (cheap:
 * generated orgs derive tens of thousands); shaped like a name-based (version 5) GUID, as the
 * uuid5 placeholders of the SYNTH fixtures are.
 */
export function derivedGuid(...parts: Array<string | number>): string {
  const text = parts.join('|');
  let a = 0x811c9dc5;
  let b = 0x01234567;
  let c = 0x89abcdef;
  let d = 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = fnvStep(a, ch);
    b = fnvStep(b, ch);
    c = fnvStep(c, ch);
    d = fnvStep(d, ch);
  }
  return formatGuid(a, b, c, d, 5);
}

/** A GUID string from four 32-bit words, with the given version nibble and the RFC 4122 variant. */
export function formatGuid(a: number, b: number, c: number, d: number, version: number): string {
  const x = hex8(b);
  const y = hex8(c);
  const variant = ((parseInt(y[0], 16) & 0x3) | 0x8).toString(16);
  return `${hex8(a)}-${x.slice(0, 4)}-${version}${x.slice(5, 8)}-${variant}${y.slice(1, 4)}-${y.slice(4, 8)}${hex8(d)}`;
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
