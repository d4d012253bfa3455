/**
 * Reading a page of a table in O(page + mutations), whatever its size.
 *
 * Base rows that were never mutated have `modifiedon` increasing with their index, so the rows a
 * `modifiedon` range selects form one index range, computed arithmetically. Mutated rows (few,
 * stored) are kept sorted and merged in. A page starts strictly after a position (keyset paging),
 * which the paging cookie carries.
 */
import { createdMatches, inBounds, type Bounds, type Order } from './entity-filter';
import type { RowState } from './rows';
import { CREATED_SPREAD_MS, baseRow, type TableView } from './tables';

/** Where the previous page ended: its last row (and its `createdon` in createdon order). */
export interface Position {
  index: number;
  modifiedMs: number;
  createdMs?: number;
}

/**
 * The base rows (by index) that may match the bounds: [lo, hi). Exact for `modifiedon`, which
 * grows with the index; for `createdon`, a superset (a base row was created less than
 * CREATED_SPREAD_MS before it was modified), which callers test row by row.
 */
function baseRange(view: TableView, b: Bounds): [number, number] {
  let lo = 0;
  let hi = view.baseCount;
  if (b.lowerMs !== undefined) {
    const x = (b.lowerMs - view.startMs) / view.stepMs;
    lo = Math.max(lo, b.lowerInclusive ? Math.ceil(x) : Math.floor(x) + 1);
  }
  if (b.upperMs !== undefined) {
    const x = (b.upperMs - view.startMs) / view.stepMs;
    hi = Math.min(hi, b.upperInclusive ? Math.floor(x) + 1 : Math.ceil(x));
  }
  const created = b.created;
  if (created?.isNull === true) return [lo, lo];
  if (created?.lowerMs !== undefined) lo = Math.max(lo, Math.ceil((created.lowerMs - view.startMs) / view.stepMs));
  if (created?.upperMs !== undefined) hi = Math.min(hi, Math.floor((created.upperMs + CREATED_SPREAD_MS - view.startMs) / view.stepMs) + 1);
  return [lo, Math.max(lo, hi)];
}

/** A row's `createdon`: a test's patch wins (it may set null), else the generated one. */
export function createdOf(row: RowState): number | null {
  if (row.patch && 'createdon' in row.patch) {
    const value = row.patch.createdon;
    return typeof value === 'string' ? Date.parse(value) : null;
  }
  return row.createdMs;
}

/** Whether a row meets every clause of the bounds. */
function matches(bounds: Bounds, row: RowState): boolean {
  return inBounds(bounds, row.modifiedMs) && createdMatches(bounds.created, createdOf(row));
}

/** Whether base row `i` is not to be served as generated: mutated, or outside the `createdon` clauses. */
function skipBase(view: TableView, bounds: Bounds, i: number): boolean {
  if (view.state.overrides.has(i) || view.state.deleted.has(i)) return true;
  return bounds.created !== undefined && !createdMatches(bounds.created, baseRow(view, i).createdMs);
}

/** First base index strictly after `after` in the order (base modifiedon is strictly increasing). */
function baseStart(view: TableView, order: Order, after: Position | null): number {
  if (after === null) return 0;
  if (order === 'key') return after.index + 1;
  const x = (after.modifiedMs - view.startMs) / view.stepMs;
  if (Number.isInteger(x)) return x > after.index ? x : x + 1;
  return Math.floor(x) + 1;
}

function before(order: Order, a: Position, b: Position): boolean {
  if (order === 'key') return a.index < b.index;
  return a.modifiedMs < b.modifiedMs || (a.modifiedMs === b.modifiedMs && a.index < b.index);
}

/** Up to `limit` live rows matching the bounds, in order, strictly after `after`. */
export function scanRows(view: TableView, order: 'key' | 'modified', bounds: Bounds, after: Position | null, limit: number): RowState[] {
  const [lo, hi] = baseRange(view, bounds);
  let b = Math.max(lo, baseStart(view, order, after));
  const mutated = order === 'key' ? view.state.byIndex() : view.state.byModified();
  let m = 0;
  if (after !== null) {
    // binary search: first mutated row after the position
    let l = 0;
    let r = mutated.length;
    while (l < r) {
      const mid = (l + r) >>> 1;
      if (before(order, after, mutated[mid]) ) r = mid;
      else l = mid + 1;
    }
    m = l;
  }
  const out: RowState[] = [];
  while (out.length < limit) {
    while (b < hi && skipBase(view, bounds, b)) b++;
    while (m < mutated.length && !matches(bounds, mutated[m])) m++;
    const hasBase = b < hi;
    const hasMutated = m < mutated.length;
    if (!hasBase && !hasMutated) break;
    if (hasBase) {
      const row = baseRow(view, b);
      if (!hasMutated || before(order, row, mutated[m])) {
        out.push(row);
        b++;
        continue;
      }
    }
    out.push(mutated[m++]);
  }
  return out;
}

/** How many live rows match the bounds. */
export function countRows(view: TableView, bounds: Bounds): number {
  const [lo, hi] = baseRange(view, bounds);
  let count = 0;
  if (bounds.created) {
    for (let i = lo; i < hi; i++) if (!skipBase(view, bounds, i)) count++;
  } else {
    count = hi - lo;
    for (const index of view.state.overrides.keys()) if (index >= lo && index < hi) count--;
    for (const index of view.state.deleted.keys()) if (index >= lo && index < hi) count--;
  }
  for (const row of view.state.overrides.values()) if (matches(bounds, row)) count++;
  return count;
}

/**
 * Up to `limit` live rows matching the bounds in (createdon, primary key) order, ascending or
 * descending, strictly after `after`. Rows without createdon are never in it (the route asks for
 * a filter that leaves them out). Base rows are near createdon order already (each within
 * CREATED_SPREAD_MS of its modifiedon), so the walk stops once no later row can enter the page:
 * O(page + the rows of one spread), whatever the table's size.
 */
export function scanByCreated(view: TableView, bounds: Bounds, desc: boolean, after: Position | null, limit: number): RowState[] {
  const sign = desc ? -1 : 1;
  const cmp = (a: Ranked, b: Ranked) => sign * (a.c - b.c || a.row.index - b.row.index);
  const afterRank = after ? { c: after.createdMs ?? 0, row: { index: after.index } as RowState } : undefined;
  const out: Ranked[] = [];
  let kth = desc ? -Infinity : Infinity;
  const settle = () => {
    out.sort(cmp);
    if (out.length > limit) out.length = limit;
    if (out.length === limit && limit > 0) kth = out[limit - 1].c;
  };
  const offer = (row: RowState) => {
    const c = createdOf(row);
    if (c === null || !matches(bounds, row)) return;
    const ranked = { c, row };
    if (afterRank && cmp(ranked, afterRank) <= 0) return;
    out.push(ranked);
    if (out.length >= 2 * limit) settle();
  };
  for (const row of view.state.overrides.values()) offer(row);
  let [lo, hi] = baseRange(view, bounds);
  // Rows past `after` in createdon order were modified after its createdon (asc), or within a spread of it (desc).
  if (after?.createdMs !== undefined && !desc) lo = Math.max(lo, Math.floor((after.createdMs - view.startMs) / view.stepMs));
  if (after?.createdMs !== undefined && desc) hi = Math.min(hi, Math.ceil((after.createdMs + CREATED_SPREAD_MS - view.startMs) / view.stepMs) + 1);
  const step = (i: number) => view.startMs + i * view.stepMs;
  if (!desc) {
    for (let i = lo; i < hi && step(i) - CREATED_SPREAD_MS < kth; i++) if (!skipBase(view, bounds, i)) offer(baseRow(view, i));
  } else {
    for (let i = hi - 1; i >= lo && step(i) >= kth; i--) if (!skipBase(view, bounds, i)) offer(baseRow(view, i));
  }
  settle();
  return out.map((r) => r.row);
}

interface Ranked {
  c: number;
  row: RowState;
}

/** One entry of a delta response. */
export type Change = { kind: 'upsert'; row: RowState } | { kind: 'delete'; index: number; version: number };

/** Where a delta page ended. */
export interface DeltaPosition {
  phase: 'upserts' | 'deletes';
  version: number;
}

/**
 * Up to `limit` changes with versions in (since, snapshot]: new and updated rows first, then
 * deletions (facts §6), each list in version order, strictly after `after`.
 */
export function scanChanges(view: TableView, since: number, snapshot: number, after: DeltaPosition | null, limit: number): Change[] {
  const out: Change[] = [];
  if (after === null || after.phase === 'upserts') {
    const floor = Math.max(since, after?.version ?? 0);
    for (const row of view.state.byVersion()) {
      if (out.length >= limit) return out;
      if (row.version > floor && row.version <= snapshot) out.push({ kind: 'upsert', row });
    }
  }
  const floor = Math.max(since, after?.phase === 'deletes' ? after.version : 0);
  for (const [index, version] of view.state.deletions()) {
    if (out.length >= limit) return out;
    if (version > floor && version <= snapshot) out.push({ kind: 'delete', index, version });
  }
  return out;
}
