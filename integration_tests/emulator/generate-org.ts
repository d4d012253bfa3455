/**
 * Large generated orgs, for tests of what happens at a real org's scale (hundreds of entities,
 * thousands of options): `generateLargeOrg` builds the metadata deterministically from a seed, and
 * `createLargeWorld` puts it into an otherwise default world for `startEmulator({ world })`.
 *
 * Shapes follow a real org: every entity has statecode/statuscode (2 states, 2-6 status reasons);
 * some local picklists (3-30 options) with their Virtual `...name` shadows, Booleans, sometimes a
 * multi-select, columns bound to a pool of shared global option sets, ordinary typed columns,
 * owner and audit columns; change tracking on most entities; labels in 1-3 languages, the first
 * language (the user's) always present.
 *
 * Label ids are not stored: the renderer derives them from the set's id on demand, which keeps
 * generating 1,000 entities far under a second.
 */
import {
  attr,
  auditColumns,
  currencyColumns,
  entity,
  lookupWithName,
  nameShadow,
  ownerColumns,
  primaryColumns,
  schemaNameOf,
} from './metadata-builders';
import type { AttributeDef, EntityDef, OptionDef, OptionSetDef, OrgMetadata } from './model';
import { formatGuid } from './metadata-labels';
import { createDefaultWorld, type World } from './world';

/** Options of {@link generateLargeOrg}. */
export interface LargeOrgOptions {
  /** Number of entities. */
  entities: number;
  /** Same seed, same org. */
  seed: number;
  /** Label languages; the first is the user's language. Default [1033, 1031, 1036]. */
  languages?: number[];
}

/** Size of the pool of global option sets columns may share. */
export const LARGE_ORG_GLOBAL_OPTION_SETS = 50;

const NOUNS = [
  'project', 'invoice', 'contract', 'asset', 'booking', 'campaign', 'case', 'claim', 'course', 'delivery', 'device', 'donation', 'event',
  'expense', 'facility', 'grant', 'incident', 'inspection', 'license', 'loan', 'meeting', 'member', 'order', 'patient', 'payment', 'permit',
  'policy', 'program', 'property', 'request', 'reservation', 'shipment', 'site', 'subscription', 'survey', 'task', 'ticket', 'trip',
  'vehicle', 'vendor', 'visit', 'warranty',
];
const WORDS = [
  'Standard', 'Premium', 'Basic', 'North', 'South', 'East', 'West', 'Low', 'Medium', 'High', 'Critical', 'Draft', 'Approved', 'Rejected',
  'Pending', 'Online', 'Retail', 'Partner', 'Internal', 'External', 'Gold', 'Silver', 'Bronze', 'Annual', 'Monthly', 'Weekly', 'New',
  'Used', 'Local', 'Global',
];
const COLUMN_KINDS = ['StringType', 'StringType', 'IntegerType', 'DecimalType', 'DoubleType', 'MemoType', 'BigIntType', 'DateTimeType', 'LookupType'];
const PREFIXES = ['new', 'cr1a2', 'contoso', 'msdyn'];

/**
 * The generator's own seeded PRNG (xorshift32 over a scrambled seed). Not random.ts's mulberry32:
 * that one multiplies with Math.imul, which jest's sandbox makes ~100x slower, and a generated org
 * draws hundreds of thousands of numbers.
 */
class Rng {
  private state: number;

  constructor(seed: number) {
    // Scramble so nearby seeds start far apart; never 0 (xorshift's fixed point).
    let s = (seed ^ 0x9e3779b9) | 0;
    for (let i = 0; i < 4; i++) s = this.step(s ^ (s >>> 16) ^ 0x85ebca6b);
    this.state = s === 0 ? 0x6d2b79f5 : s;
  }

  private step(x: number): number {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x | 0;
  }

  /** An unsigned 32-bit integer. */
  u32(): number {
    this.state = this.step(this.state);
    return this.state >>> 0;
  }

  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor((this.u32() / 4294967296) * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** `length` lowercase hex digits. */
  hex(length: number): string {
    return this.u32().toString(16).padStart(8, '0').slice(0, length);
  }
}

/** A version-4-shaped GUID from four draws. */
const uuidOf = (rng: Rng) => formatGuid(rng.u32(), rng.u32(), rng.u32(), rng.u32(), 4);

/** Texts of one label in the first `count` languages (the first language gets the plain text). */
function texts(base: string, languages: number[], count: number): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [i, lang] of languages.slice(0, count).entries()) out[lang] = i === 0 ? base : `${base} (${lang})`;
  return out;
}

/** Generates options valued as custom choices are (prefix * 10000 + n), labelled in `langCount` languages. */
function options(rng: Rng, count: number, languages: number[], langCount: number, custom: boolean): OptionDef[] {
  const start = custom ? 100000000 + rng.int(9000) * 10000 : 1;
  return Array.from({ length: count }, (_, i) => ({
    value: start + i,
    labels: texts(`${rng.pick(WORDS)} ${i + 1}`, languages, langCount),
    ...(rng.int(5) === 0 ? { color: `#${rng.hex(6)}` } : {}),
  }));
}

const languageCount = (rng: Rng, languages: number[]) => 1 + rng.int(Math.min(3, languages.length));

function optionSet(rng: Rng, name: string, type: OptionSetDef['optionSetType'], opts: OptionDef[], isGlobal: boolean, languages: number[], langCount: number): OptionSetDef {
  return {
    name,
    metadataId: uuidOf(rng),
    isGlobal,
    optionSetType: type,
    options: opts,
    displayName: texts(schemaNameOf(name), languages, langCount),
    isManaged: false,
    legacyOptionShape: type === 'Boolean',
  };
}

function stateStatus(rng: Rng, name: string, languages: number[]): AttributeDef[] {
  const langs = languageCount(rng, languages);
  const statusCount = 2 + rng.int(5);
  // The first two statuses are the states' defaults; the rest fall on either state.
  const statusStates = [0, 1, ...Array.from({ length: statusCount - 2 }, () => rng.int(2))];
  const stateSet = optionSet(rng, `${name}_statecode`, 'State', [
    { value: 0, labels: texts('Active', languages, langs), invariantName: 'Active', defaultStatus: 1 },
    { value: 1, labels: texts('Inactive', languages, langs), invariantName: 'Inactive', defaultStatus: 2 },
  ], false, languages, langs);
  const statusSet = optionSet(
    rng,
    `${name}_statuscode`,
    'Status',
    statusStates.map((state, i) => ({ value: i + 1, labels: texts(i < 2 ? ['Active', 'Inactive'][i] : `${rng.pick(WORDS)} ${i + 1}`, languages, langs), state })),
    false,
    languages,
    langs,
  );
  return [
    attr(name, 'statecode', 'StateType', { schemaName: 'StateCode', metadataId: uuidOf(rng), optionSet: stateSet }),
    attr(name, 'statuscode', 'StatusType', { schemaName: 'StatusCode', metadataId: uuidOf(rng), optionSet: statusSet }),
  ];
}

function generateEntity(rng: Rng, index: number, globals: OptionSetDef[], languages: number[]): EntityDef {
  const prefix = rng.pick(PREFIXES);
  const name = `${prefix}_${rng.pick(NOUNS)}${index}`;
  const attributes: AttributeDef[] = [...primaryColumns(name, `${name}id`, `${prefix}_name`)];
  let column = 0;
  const columnName = () => `${prefix}_col${column++}`;

  for (let i = 0, n = rng.int(7); i < n; i++) {
    const langs = languageCount(rng, languages);
    const logicalName = columnName();
    const set = optionSet(rng, `${name}_${logicalName}`, 'Picklist', options(rng, 3 + rng.int(28), languages, langs, true), false, languages, langs);
    const picklist = attr(name, logicalName, 'PicklistType', { metadataId: uuidOf(rng), optionSet: set });
    attributes.push(picklist, nameShadow(name, picklist));
  }
  for (let i = 0, n = rng.int(3); i < n; i++) {
    const langs = languageCount(rng, languages);
    const logicalName = columnName();
    const set = optionSet(rng, `${name}_${logicalName}`, 'Boolean', [
      { value: 0, labels: texts('No', languages, langs) },
      { value: 1, labels: texts('Yes', languages, langs) },
    ], false, languages, langs);
    attributes.push(attr(name, logicalName, 'BooleanType', { metadataId: uuidOf(rng), optionSet: set }));
  }
  if (rng.int(10) < 3) {
    const langs = languageCount(rng, languages);
    const logicalName = columnName();
    const set = optionSet(rng, `${name}_${logicalName}`, 'Picklist', options(rng, 3 + rng.int(12), languages, langs, true), false, languages, langs);
    attributes.push(attr(name, logicalName, 'MultiSelectPicklistType', { metadataId: uuidOf(rng), optionSet: set }));
  }
  for (let i = 0, n = rng.int(3); i < n; i++) {
    attributes.push(attr(name, columnName(), 'PicklistType', { metadataId: uuidOf(rng), optionSet: rng.pick(globals) }));
  }
  for (let i = 0, n = 3 + rng.int(8); i < n; i++) {
    const kind = rng.pick(COLUMN_KINDS);
    const logicalName = columnName();
    if (kind === 'LookupType') attributes.push(...lookupWithName(name, logicalName, 'LookupType', [rng.pick(['account', 'contact', 'systemuser'])]));
    else if (kind === 'DateTimeType') {
      const behavior = rng.pick(['UserLocal', 'DateOnly', 'TimeZoneIndependent'] as const);
      attributes.push(attr(name, logicalName, kind, { dateTimeBehavior: behavior, format: behavior === 'DateOnly' ? 'DateOnly' : 'DateAndTime' }));
    } else attributes.push(attr(name, logicalName, kind));
  }
  if (rng.int(2) === 0) attributes.push(attr(name, `${prefix}_amount`, 'MoneyType'), ...currencyColumns(name));
  attributes.push(...stateStatus(rng, name, languages), ...ownerColumns(name), ...auditColumns(name));
  return entity(name, 10000 + index, attributes, { metadataId: uuidOf(rng), changeTrackingEnabled: rng.int(10) < 8 });
}

/**
 * Display names and descriptions of an entity and its columns in `languages` (a real org has every
 * table and column labelled in each installed language). Drawn from no random numbers, so the
 * rest of the org is what it was before labels were added.
 */
function labelEntity(e: EntityDef, languages: number[]): void {
  const named = (base: string) => texts(base, languages, languages.length);
  const title = schemaNameOf(e.logicalName).replace(/^[a-z0-9]+_/, '');
  e.displayName = named(title);
  e.displayCollectionName = named(`${title}s`);
  e.description = named(`Generated table ${title}.`);
  for (const a of e.attributes) {
    a.displayName = named(schemaNameOf(a.logicalName));
    a.description = named(`Column ${a.logicalName} of ${title}.`);
  }
}

/** A deterministic org of `options.entities` generated entities and a pool of global option sets. */
export function generateLargeOrg(spec: LargeOrgOptions): OrgMetadata {
  const languages = spec.languages && spec.languages.length > 0 ? spec.languages : [1033, 1031, 1036];
  const rng = new Rng(spec.seed);
  const globals: OptionSetDef[] = [];
  for (let i = 0; i < LARGE_ORG_GLOBAL_OPTION_SETS; i++) {
    const langs = languageCount(rng, languages);
    globals.push(optionSet(rng, `${rng.pick(PREFIXES)}_globalchoice${i}`, 'Picklist', options(rng, 3 + rng.int(28), languages, langs, true), true, languages, langs));
  }
  const entities: Record<string, EntityDef> = {};
  for (let i = 0; i < spec.entities; i++) {
    const e = generateEntity(rng, i, globals, languages);
    labelEntity(e, languages.slice(0, 2));
    entities[e.logicalName] = e;
  }
  return { entities, globalOptionSets: Object.fromEntries(globals.map((s) => [s.name, s])), userLanguage: languages[0] };
}

/** The default world (tenants, apps, org row) with a generated org's metadata instead of the doc sample's. */
export function createLargeWorld(spec: LargeOrgOptions): World {
  const world = createDefaultWorld();
  Object.assign(world.org, generateLargeOrg(spec));
  return world;
}
