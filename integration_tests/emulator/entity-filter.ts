/**
 * The `$filter` and `$orderby` forms the entity-set route understands: what an incremental sync on
 * a `modifiedon` cursor sends.
 *
 * - `$filter`: `modifiedon <op> <date-time>` with op eq/gt/ge/lt/le, clauses joined with `and`
 *   (optionally parenthesised). Date-time literals are unquoted OData DateTimeOffset values.
 * - `$orderby`: `modifiedon [asc]`, optionally `, <primary key> [asc]`; or `<primary key> [asc]`.
 *
 * An unknown property is the service's 400 "Could not find a property named ...". A quoted
 * date-time is ODataLib's type error. Any other form is a 400 that says the emulator does not
 * support it [INF: an emulator limit, not a service answer] so a test fails loudly instead of
 * receiving unfiltered rows.
 */
import { OPERATOR_KIND } from './odata-filter';
import { unknownPropertyMessage, type Column } from './columns';
import type { EntityDef } from './model';

/** A range on `modifiedon` (epoch ms); absent bounds are open. */
export interface Bounds {
  lowerMs?: number;
  lowerInclusive: boolean;
  upperMs?: number;
  upperInclusive: boolean;
}

/** Row order: by primary key (the emulator's index order) or by (modifiedon, primary key). */
export type Order = 'key' | 'modified';

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

/** The range a `$filter` selects, or the 400 message. */
export function parseFilter(def: EntityDef, columns: readonly Column[], raw: string | null): Bounds | { error: string } {
  if (raw === null) return NO_BOUNDS;
  const expected = 'modifiedon eq|gt|ge|lt|le <date-time>, joined with and';
  const known = new Set(columns.map((c) => c.property));
  const bounds: Bounds = { ...NO_BOUNDS };
  for (const part of unwrap(raw).split(/\s+and\s+/)) {
    const m = CLAUSE.exec(unwrap(part));
    if (!m) return unsupported('the $filter', raw, expected);
    const [, property, op, literal] = m;
    if (!known.has(property)) return { error: unknownPropertyMessage(def, property) };
    if (property !== 'modifiedon' || op === 'ne') return unsupported('the $filter', raw, expected);
    if (/^'.*'$/.test(literal)) {
      return { error: `A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind '${OPERATOR_KIND[op as keyof typeof OPERATOR_KIND]}'.` };
    }
    const ms = DATE_TIME.test(literal) ? Date.parse(literal) : NaN;
    if (Number.isNaN(ms)) return unsupported('the $filter', raw, expected);
    if (op === 'gt' || op === 'ge' || op === 'eq') {
      const inclusive = op !== 'gt';
      if (bounds.lowerMs === undefined || ms > bounds.lowerMs || (ms === bounds.lowerMs && !inclusive)) {
        bounds.lowerMs = ms;
        bounds.lowerInclusive = inclusive;
      }
    }
    if (op === 'lt' || op === 'le' || op === 'eq') {
      const inclusive = op !== 'lt';
      if (bounds.upperMs === undefined || ms < bounds.upperMs || (ms === bounds.upperMs && !inclusive)) {
        bounds.upperMs = ms;
        bounds.upperInclusive = inclusive;
      }
    }
  }
  return bounds;
}

/** Whether `ms` lies within the bounds. */
export function inBounds(b: Bounds, ms: number): boolean {
  if (b.lowerMs !== undefined && (b.lowerInclusive ? ms < b.lowerMs : ms <= b.lowerMs)) return false;
  if (b.upperMs !== undefined && (b.upperInclusive ? ms > b.upperMs : ms >= b.upperMs)) return false;
  return true;
}

/** The order a `$orderby` asks for, or the 400 message. */
export function parseOrderBy(def: EntityDef, columns: readonly Column[], raw: string | null): Order | { error: string } {
  if (raw === null) return 'key';
  const expected = `modifiedon asc[,${def.primaryIdAttribute} asc] or ${def.primaryIdAttribute} asc`;
  const known = new Set(columns.map((c) => c.property));
  const items: string[] = [];
  for (const item of raw.split(',')) {
    const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/.exec(item);
    if (!m) return unsupported('the $orderby', raw, expected);
    if (!known.has(m[1])) return { error: unknownPropertyMessage(def, m[1]) };
    if (m[2] === 'desc') return unsupported('the $orderby', raw, expected);
    items.push(m[1]);
  }
  const pk = def.primaryIdAttribute;
  if (items.length === 1 && items[0] === pk) return 'key';
  if (items[0] === 'modifiedon' && (items.length === 1 || (items.length === 2 && items[1] === pk))) return 'modified';
  return unsupported('the $orderby', raw, expected);
}
