/**
 * The `$filter` and `$orderby` forms the entity-set route understands: what an incremental sync on
 * a `modifiedon` cursor sends, and what a partitioned read sends on `createdon`.
 *
 * - `$filter`: `modifiedon <op> <date-time>` with op eq/gt/ge/lt/le, and `createdon <op>
 *   <date-time>` or `createdon eq|ne null`, clauses joined with `and` (optionally parenthesised).
 *   Date-time literals are unquoted OData DateTimeOffset values. A comparison with a null value
 *   is null, and "Records aren't returned if the expression evaluates to false or null", so a
 *   range on `createdon` leaves out rows without one [DOC PA webapi/query/filter-rows.md, which
 *   lists eq ne gt ge lt le; `eq null` / `ne null` test for null as in OData, INF for Dataverse].
 * - `$orderby`: `modifiedon [asc]`, optionally `, <primary key> [asc]`; `<primary key> [asc]`; or
 *   `createdon asc|desc`, optionally `, <primary key>` in the same direction (ties by key)
 *   [DOC PA webapi/query/order-rows.md].
 *
 * An unknown property is the service's 400 "Could not find a property named ...". A quoted
 * date-time is ODataLib's type error. Any other form is a 400 that says the emulator does not
 * support it [INF: an emulator limit, not a service answer] so a test fails loudly instead of
 * receiving unfiltered rows.
 */
import { OPERATOR_KIND } from './odata-filter';
import { unknownPropertyMessage, type Column } from './columns';
import type { EntityDef } from './model';

/** A range of instants (epoch ms); absent bounds are open. */
export interface Range {
  lowerMs?: number;
  lowerInclusive: boolean;
  upperMs?: number;
  upperInclusive: boolean;
}

/** A range on `modifiedon`, and the `createdon` clauses when there are any. */
export interface Bounds extends Range {
  created?: CreatedBounds;
}

/** `createdon` clauses: a range (which excludes nulls), `eq null` (only nulls) or `ne null`. */
export interface CreatedBounds extends Range {
  /** true: only rows without createdon; false: only rows with one (`ne null` or any range clause). */
  isNull?: boolean;
}

/**
 * Row order: by primary key (the emulator's index order), by (modifiedon, primary key), or by
 * (createdon, primary key) ascending or descending.
 */
export type Order = 'key' | 'modified' | 'created' | 'created-desc';

/** No `$filter`: every row. */
export const NO_BOUNDS: Bounds = { lowerInclusive: true, upperInclusive: true };

const CLAUSE = /^(\w+)\s+(eq|ne|gt|ge|lt|le)\s+(.+)$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** `(x)` -> `x`, repeatedly, only when the parentheses enclose the whole text. */
function unwrap(text: string): string {
  let t = text.trim();
  while (t.startsWith('(') && t.endsWith(')') && !t.slice(1, -1).includes('(')) t = t.slice(1, -1).trim();
  return t;
}

function unsupported(kind: string, raw: string, expected: string): { error: string } {
  return { error: `The emulator does not support ${kind} '${raw}' (supported: ${expected}).` };
}

const FILTER_FORMS = 'modifiedon eq|gt|ge|lt|le <date-time>, createdon eq|gt|ge|lt|le <date-time> or eq|ne null, joined with and';

/** The range a `$filter` selects, or the 400 message. */
export function parseFilter(def: EntityDef, columns: readonly Column[], raw: string | null): Bounds | { error: string } {
  if (raw === null) return NO_BOUNDS;
  const known = new Set(columns.map((c) => c.property));
  const bounds: Bounds = { ...NO_BOUNDS };
  for (const part of unwrap(raw).split(/\s+and\s+/)) {
    const m = CLAUSE.exec(unwrap(part));
    if (!m) return unsupported('the $filter', raw, FILTER_FORMS);
    const [, property, op, literal] = m;
    if (!known.has(property)) return { error: unknownPropertyMessage(def, property) };
    if (property === 'createdon' && literal === 'null' && (op === 'eq' || op === 'ne')) {
      const created = (bounds.created ??= { ...NO_BOUNDS });
      const isNull = op === 'eq';
      // `eq null and ne null` (or a range and eq null) selects nothing: an empty range stands for it.
      if (created.isNull !== undefined && created.isNull !== isNull) Object.assign(created, { lowerMs: 1, upperMs: 0 });
      created.isNull = isNull;
      continue;
    }
    if ((property !== 'modifiedon' && property !== 'createdon') || op === 'ne') return unsupported('the $filter', raw, FILTER_FORMS);
    if (/^'.*'$/.test(literal)) {
      return { error: `A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '${OPERATOR_KIND[op as keyof typeof OPERATOR_KIND]}'.` };
    }
    const ms = DATE_TIME.test(literal) ? Date.parse(literal) : NaN;
    if (Number.isNaN(ms)) return unsupported('the $filter', raw, FILTER_FORMS);
    if (property === 'modifiedon') narrow(bounds, op, ms);
    else {
      const created = (bounds.created ??= { ...NO_BOUNDS });
      if (created.isNull === true) Object.assign(created, { lowerMs: 1, upperMs: 0 });
      created.isNull = false;
      narrow(created, op, ms);
    }
  }
  return bounds;
}

/** Narrows `range` by one comparison with an instant. */
function narrow(range: Range, op: string, ms: number): void {
  if (op === 'gt' || op === 'ge' || op === 'eq') {
    const inclusive = op !== 'gt';
    if (range.lowerMs === undefined || ms > range.lowerMs || (ms === range.lowerMs && !inclusive)) {
      range.lowerMs = ms;
      range.lowerInclusive = inclusive;
    }
  }
  if (op === 'lt' || op === 'le' || op === 'eq') {
    const inclusive = op !== 'lt';
    if (range.upperMs === undefined || ms < range.upperMs || (ms === range.upperMs && !inclusive)) {
      range.upperMs = ms;
      range.upperInclusive = inclusive;
    }
  }
}

/** Whether `ms` lies within the range. */
export function inBounds(b: Range, ms: number): boolean {
  if (b.lowerMs !== undefined && (b.lowerInclusive ? ms < b.lowerMs : ms <= b.lowerMs)) return false;
  if (b.upperMs !== undefined && (b.upperInclusive ? ms > b.upperMs : ms >= b.upperMs)) return false;
  return true;
}

/** Whether a row's `createdon` (null when it has none) meets the `createdon` clauses. */
export function createdMatches(created: CreatedBounds | undefined, ms: number | null): boolean {
  if (!created) return true;
  if (ms === null) return created.isNull === true;
  return created.isNull !== true && inBounds(created, ms);
}

/** The order a `$orderby` asks for, or the 400 message. */
export function parseOrderBy(def: EntityDef, columns: readonly Column[], raw: string | null): Order | { error: string } {
  if (raw === null) return 'key';
  const pk = def.primaryIdAttribute;
  const expected = `modifiedon asc[,${pk} asc], createdon asc|desc[,${pk} asc|desc] or ${pk} asc`;
  const known = new Set(columns.map((c) => c.property));
  const items: Array<{ name: string; desc: boolean }> = [];
  for (const item of raw.split(',')) {
    const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/.exec(item);
    if (!m) return unsupported('the $orderby', raw, expected);
    if (!known.has(m[1])) return { error: unknownPropertyMessage(def, m[1]) };
    items.push({ name: m[1], desc: m[2] === 'desc' });
  }
  const [first, second] = items;
  const tieByKey = items.length === 1 || (items.length === 2 && second.name === pk && second.desc === first.desc);
  if (first.name === 'createdon' && tieByKey) return first.desc ? 'created-desc' : 'created';
  if (items.some((i) => i.desc)) return unsupported('the $orderby', raw, expected);
  if (items.length === 1 && first.name === pk) return 'key';
  if (first.name === 'modifiedon' && tieByKey) return 'modified';
  return unsupported('the $orderby', raw, expected);
}
