/**
 * Deterministic row values: every cell is a pure function of (table key, column, row index, row
 * revision), computed when a page is served. Nothing per row is stored, so a million-row table
 * costs nothing until read and a page costs O(page).
 *
 * Values take Dataverse's JSON forms (facts §5 and the page fixtures): GUID strings, numbers for
 * Integer/BigInt/Decimal/Double/Money, booleans, DateTime `YYYY-MM-DDTHH:mm:ssZ`, DateOnly
 * `YYYY-MM-DD`, lookup GUIDs, option values as integers, multi-select values as `"2,3,8"`.
 */
import type { Column } from './columns';
import { hash2, hash3, hex, mix32, scramble32, stringHash, unit, unscramble32 } from './hash';
import type { AttributeDef, EntityDef, OptionDef } from './model';

/**
 * A JSON number given as its exact text (Int64 past 2^53, a Decimal with 10 decimals): rendered
 * verbatim, as the service writes such values (facts §9 "Numbers"). Tests may also patch rows
 * with one, or with a bigint.
 */
export class ExactNumber {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`ExactNumber: not a decimal literal: ${text}`);
  }
}

/** The first Int64 a double cannot hold: 2^53 + 1. */
const PAST_DOUBLE = 9_007_199_254_740_993n;

/** What varies per row: its position, and the mutation state tables.ts keeps for it. */
export interface RowState {
  /** Position in the table's id space (base rows 0..rowCount-1, inserted rows after). */
  index: number;
  /** The row version: `versionnumber` and `@odata.etag`. */
  version: number;
  modifiedMs: number;
  createdMs: number;
  /** 0 for generated values; each update bumps it, which re-draws the non-key values. */
  revision: number;
  /** Property values a test set explicitly (payload names); they win over generated ones. */
  patch?: Readonly<Record<string, unknown>>;
}

/** A generated cell: the value, and for lookups the target table and its primary name. */
export interface Cell {
  value: unknown;
  target: string | null;
  name: string | null;
}

/** Per table: what generation needs besides the row. */
export interface GenContext {
  def: EntityDef;
  seed: number;
  /** {@link tableKey} of the entity and seed. */
  key: number;
  /** Lookups to transactioncurrency all point at the org's base currency. */
  baseCurrencyId: string;
  baseCurrencyName: string;
  /** The entity's State attribute, if any: statuscode values follow its value. */
  stateAttr: AttributeDef | undefined;
  /** Ids and primary names of the first {@link LOOKUP_POOL} rows of each lookup target, filled on first use. */
  lookupPool: Map<string, { ids: string[]; names: string[] }>;
  /** The table spec's `memoBytes`: every memo value is this long and never null (tables.ts). */
  memoBytes?: number;
  /** `memoBytes` characters of filler that memo values end with, made on first use. */
  memoFiller?: string;
}

/** The generation context of `def`'s table. */
export function genContext(def: EntityDef, seed: number, baseCurrencyId: string, baseCurrencyName: string, memoBytes?: number): GenContext {
  const stateAttr = def.attributes.find((a) => a.attributeType === 'State' && a.attributeOf === null);
  return { def, seed, key: tableKey(def.logicalName, seed), baseCurrencyId, baseCurrencyName, stateAttr, lookupPool: new Map(), memoBytes };
}

const DAY_MS = 86_400_000;

/** Lookups point into the first rows of their target table (so they resolve when it has a table with the same seed). */
export const LOOKUP_POOL = 50;

/** A table's hash key: entity logical name and seed. */
export function tableKey(logicalName: string, seed: number): number {
  return hash2(stringHash(logicalName), seed >>> 0);
}

/**
 * Row `index`'s primary id: a version-4-shaped GUID whose first group is an invertible scramble of
 * the index, so that {@link indexOfId} can find the row a paging cookie names.
 */
export function rowId(key: number, index: number): string {
  const a = scramble32((index ^ key) >>> 0);
  const h1 = hash3(key, index, 1);
  const h2 = hash3(key, index, 2);
  const h3 = hash3(key, index, 3);
  return `${hex(a, 8)}-${hex(h1 >>> 16, 4)}-4${hex(h1 & 0xfff, 3)}-${hex(8 | (h2 >>> 30), 1)}${hex((h2 >>> 16) & 0xfff, 3)}-${hex(h2 & 0xffff, 4)}${hex(h3, 8)}`;
}

/** The index whose {@link rowId} is `id` (any case), or undefined when no index produces it. */
export function indexOfId(key: number, id: string): number | undefined {
  const lower = id.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(lower)) return undefined;
  const index = (unscramble32(parseInt(lower.slice(0, 8), 16)) ^ key) >>> 0;
  return rowId(key, index) === lower ? index : undefined;
}

const FIRST_NAMES = ['Yvonne', 'Susanna', 'Nancy', 'Maria', 'Monte', 'Hiram', 'Rene', 'Paul', 'Sidney', 'Scott', 'Robert', 'Rachel', 'Jim', 'Patrick', 'Thomas', 'Sanjay', 'Cathan', 'Darren', 'Susan', 'Forrest'];
const LAST_NAMES = ['McKay', 'Stubberod', 'Anderson', 'Campbell', 'Orton', 'Mundy', 'Valdes', 'Cannon', 'Higa', 'Konersmann', 'Lyon', 'Hayes', 'Glynn', 'Sands', 'Andersen', 'Shah', 'Cook', 'Parker', 'Burk', 'Chand'];
const COMPANY_A = ['Fourth', 'Litware', 'Adventure', 'Fabrikam', 'Blue Yonder', 'City Power', 'Contoso', 'Alpine', 'Coho', 'Northwind', 'Tailspin', 'Wide World', 'Proseware', 'Lucerne', 'Margie\'s', 'Trey'];
const COMPANY_B = ['Coffee', 'Inc.', 'Works', 'Airlines', '& Light', 'Pharmaceuticals', 'Ski House', 'Winery', 'Traders', 'Toys', 'Importers', 'Research', 'Publishing', 'Travel', 'Bikes', 'Systems'];
const WORDS = ['quarterly', 'review', 'renewal', 'contract', 'shipment', 'pending', 'priority', 'customer', 'request', 'follow', 'up', 'with', 'the', 'team', 'on', 'pricing', 'for', 'next', 'year', 'meeting'];
const CITIES = ['Redmond', 'Seattle', 'Dublin', 'Paris', 'Berlin', 'Sydney', 'Toronto', 'Tokyo', 'Oslo', 'Lisbon'];
/** Entities whose rows are people: their primary names are "First Last". */
const PERSON_ENTITIES = new Set(['contact', 'systemuser', 'lead']);

/** A 1x1 transparent PNG: the thumbnail a selected image column returns for rows that have one. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** The primary name of row `index` of `logicalName`'s table: depends on nothing else, so lookups can name their targets. */
export function primaryName(logicalName: string, seed: number, index: number): string {
  const h = hash3(tableKey(logicalName, seed), index, 0x6e616d65);
  if (PERSON_ENTITIES.has(logicalName)) return `${FIRST_NAMES[h % FIRST_NAMES.length]} ${LAST_NAMES[(h >>> 8) % LAST_NAMES.length]}`;
  if (logicalName === 'team') return `Team ${index + 1}`;
  return `${COMPANY_A[h % COMPANY_A.length]} ${COMPANY_B[(h >>> 8) % COMPANY_B.length]} ${index + 1}`;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
let cachedDay = NaN;
let cachedDayPrefix = '';

/**
 * `ms` as Dataverse writes a DateTime: whole seconds, `Z`. The date part is cached, since rows of
 * a page mostly share their day: this runs for several columns of every generated row.
 */
export function isoSeconds(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  return `${cachedDayPrefix}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}Z`;
}

/** Attributes that are never null in generated rows (system columns a real row always has). */
const NEVER_NULL = new Set(['createdon', 'modifiedon', 'versionnumber', 'ownerid', 'createdby', 'modifiedby', 'statecode', 'statuscode', 'transactioncurrencyid', 'exchangerate']);


function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function pick<T>(items: readonly T[], h: number): T {
  return items[h % items.length];
}

/**
 * The statecode value of a row: 80% the first state option (Active on system tables), so that
 * statuscode can be drawn among that state's statuses.
 */
function stateValue(ctx: GenContext, row: RowState): number | null {
  const state = ctx.stateAttr;
  const options = state?.optionSet?.options;
  if (!state || !options || options.length === 0) return null;
  const h = hash3(ctx.key ^ stringHash(state.logicalName), row.index, row.revision);
  return h % 10 < 8 ? options[0].value : pick(options, h >>> 4).value;
}

/** Generates column `col` of `row` into `cell`. */
export function generateCell(ctx: GenContext, col: Column, row: RowState, cell: Cell): void {
  cell.target = null;
  cell.name = null;
  const attr = col.attr;
  const name = attr.logicalName;
  // Money `_base` columns repeat their column's value (exchange rate 1): hash with the base name.
  const genHash = name.endsWith('_base') ? stringHash(name.slice(0, -5)) : col.hash;
  const h = hash3(ctx.key ^ genHash, row.index, col.kind === 'primaryid' ? 0 : row.revision);
  const isPrimaryName = name === ctx.def.primaryNameAttribute;
  const sizedMemo = col.kind === 'memo' && ctx.memoBytes !== undefined;
  if (col.kind !== 'primaryid' && !isPrimaryName && !sizedMemo && !NEVER_NULL.has(name) && h % 100 < 12) {
    cell.value = null;
    return;
  }
  const g = mix32(h ^ 0x5bd1e995); // a second independent word
  switch (col.kind) {
    case 'primaryid':
      cell.value = rowId(ctx.key, row.index);
      return;
    case 'uniqueidentifier':
      cell.value = rowId(h, g);
      return;
    case 'string':
      cell.value = stringValue(ctx, name, isPrimaryName, row, h, g);
      return;
    case 'memo':
      if (sizedMemo) {
        cell.value = sizedMemoValue(ctx, name, row, h, g);
        return;
      }
      cell.value = `${WORDS[h % WORDS.length]} ${WORDS[g % WORDS.length]} ${WORDS[(h >>> 8) % WORDS.length]} ${WORDS[(g >>> 8) % WORDS.length]}.`;
      return;
    case 'integer':
      cell.value = h % 100_000;
      return;
    case 'bigint':
      cell.value = name === 'versionnumber' ? row.version : attr.exactDigits ? new ExactNumber(String(PAST_DOUBLE + BigInt(h % 1_000_000))) : h % 1_000_000_000;
      return;
    case 'decimal':
      cell.value = name === 'exchangerate' ? 1 : attr.exactDigits ? exactDecimal(h, g) : round((h % 10_000_000) / 100, 2);
      return;
    case 'double':
      cell.value = name.endsWith('latitude') ? round(unit(h) * 180 - 90, 5) : name.endsWith('longitude') ? round(unit(h) * 360 - 180, 5) : round(unit(h) * 10_000, 5);
      return;
    case 'money':
      cell.value = round((h % 10_000_000) / 100, 2);
      return;
    case 'boolean':
      cell.value = ((h >>> 3) & 1) === 1;
      return;
    case 'datetime':
      cell.value = name === 'modifiedon' ? isoSeconds(row.modifiedMs) : name === 'createdon' ? isoSeconds(row.createdMs) : isoSeconds(row.createdMs + (h % 31_536_000) * 1000);
      return;
    case 'dateonly':
      cell.value = new Date(row.createdMs + (h % 365) * DAY_MS).toISOString().slice(0, 10);
      return;
    case 'lookup':
      lookupValue(ctx, col, h, cell);
      return;
    case 'choice':
      cell.value = choiceValue(ctx, col, row, h);
      return;
    case 'multiselect':
      cell.value = multiValue(attr.optionSet?.options, h);
      return;
    case 'entityname':
      cell.value = null;
      return;
    case 'image':
      cell.value = h % 10 === 0 ? TINY_PNG : null;
      return;
    case 'file':
      cell.value = h % 5 === 0 ? rowId(g, h) : null;
      return;
  }
}

/**
 * A memo value of exactly `ctx.memoBytes` ASCII characters that need no JSON escape: a part that
 * names the row, the column and its revision's words (so rows and updates differ), then the
 * table's filler. The filler is one string per table and the value a slice of it after the row's
 * part, so a 256 KB cell costs a concatenation until the renderer copies it into the row's text.
 */
function sizedMemoValue(ctx: GenContext, name: string, row: RowState, h: number, g: number): string {
  const size = ctx.memoBytes as number;
  const head = `row ${row.index} ${name}: ${WORDS[h % WORDS.length]} ${WORDS[g % WORDS.length]} ${WORDS[(h >>> 8) % WORDS.length]}. `;
  if (head.length >= size) return head.slice(0, size);
  ctx.memoFiller ??= MEMO_FILLER.repeat(Math.ceil(size / MEMO_FILLER.length)).slice(0, size);
  return head + ctx.memoFiller.slice(head.length);
}

/** What sized memo values are padded with: a sentence of {@link WORDS}, repeated. */
const MEMO_FILLER = `${WORDS.join(' ')}. `;

/**
 * An 11-digit Decimal with all 10 decimals (Decimal's maximum is 100,000,000,000, facts §9); the
 * last decimal is never 0, so the text is exactly the digits a client must keep.
 */
function exactDecimal(h: number, g: number): ExactNumber {
  const whole = 10_000_000_000 + (h % 90_000) * 1_000_000 + (g % 1_000_000);
  const decimals = `${String(mix32(g) % 100_000).padStart(5, '0')}${String(mix32(h) % 10_000).padStart(4, '0')}${1 + (g % 9)}`;
  return new ExactNumber(`${whole}.${decimals}`);
}

function stringValue(ctx: GenContext, name: string, isPrimaryName: boolean, row: RowState, h: number, g: number): string {
  if (isPrimaryName) return primaryName(ctx.def.logicalName, ctx.seed, row.index);
  if (PERSON_ENTITIES.has(ctx.def.logicalName) && (name === 'firstname' || name === 'lastname')) {
    const [first, last] = primaryName(ctx.def.logicalName, ctx.seed, row.index).split(' ');
    return name === 'firstname' ? first : last;
  }
  if (name.startsWith('emailaddress')) return `user${row.index}.${hex(g & 0xffff, 4)}@example.com`;
  if (name.startsWith('telephone') || name === 'fax' || name.endsWith('phone')) return `555-01${String(h % 100).padStart(2, '0')}`;
  if (name.endsWith('_city')) return pick(CITIES, h);
  if (name.endsWith('url')) return `https://www.example${h % 1000}.com`;
  return `${pick(WORDS, h)} ${pick(WORDS, g)} ${h % 10_000}`;
}

function lookupValue(ctx: GenContext, col: Column, h: number, cell: Cell): void {
  const targets = col.attr.targets ?? [];
  if (targets.length === 0) {
    cell.value = null;
    return;
  }
  const target = pick(targets, h);
  cell.target = target;
  if (target === 'transactioncurrency') {
    cell.value = ctx.baseCurrencyId;
    cell.name = ctx.baseCurrencyName;
    return;
  }
  let pool = ctx.lookupPool.get(target);
  if (!pool) {
    const key = tableKey(target, ctx.seed);
    const indexes = Array.from({ length: LOOKUP_POOL }, (_, j) => j);
    pool = { ids: indexes.map((j) => rowId(key, j)), names: indexes.map((j) => primaryName(target, ctx.seed, j)) };
    ctx.lookupPool.set(target, pool);
  }
  const j = (h >>> 8) % LOOKUP_POOL;
  cell.value = pool.ids[j];
  cell.name = pool.names[j];
}

function choiceValue(ctx: GenContext, col: Column, row: RowState, h: number): number | null {
  const options = col.attr.optionSet?.options;
  if (!options || options.length === 0) return null;
  if (col.attr.attributeType === 'State') return stateValue(ctx, row);
  if (col.attr.attributeType === 'Status') {
    const state = stateValue(ctx, row);
    const matching = options.filter((o) => o.state === undefined || o.state === state);
    return pick(matching.length > 0 ? matching : options, h).value;
  }
  return pick(options, h).value;
}

/** 1 to 3 distinct options, ascending, comma-joined (contacts-multiselect-values.json). */
function multiValue(options: readonly OptionDef[] | undefined, h: number): string | null {
  if (!options || options.length === 0) return null;
  const chosen = new Set<number>();
  const count = 1 + (h % 3);
  for (let k = 0; k < count; k++) chosen.add(options[hash2(h, k) % options.length].value);
  return [...chosen].sort((a, b) => a - b).join(',');
}
