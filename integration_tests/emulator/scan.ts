/**
 * Reading a page of a table in O(page + mutations), whatever its size.
 *
 * Base rows that were never mutated have `modifiedon` increasing with their index, so the rows a
 * `modifiedon` range selects form one index range, computed arithmetically. Mutated rows (few,
 * stored) are kept sorted and merged in. A page starts strictly after a position (keyset paging),
 * which the paging cookie carries.
 */
import { inBounds, type Bounds, type Order } from './entity-filter';
import type { RowState } from './rows';
import { baseRow, type TableView } from './tables';

/** Where the previous page ended: its last row. */
export interface Position {
  index: number;
  modifiedMs: number;
}

/** The base rows (by index) whose generated `modifiedon` lies in the bounds: [lo, hi). */
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
  return [lo, Math.max(lo, hi)];
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
export function scanRows(view: TableView, order: Order, bounds: Bounds, after: Position | null, limit: number): RowState[] {
  const { overrides, deleted } = view.state;
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
    while (b < hi && (overrides.has(b) || deleted.has(b))) b++;
    while (m < mutated.length && !inBounds(bounds, mutated[m].modifiedMs)) m++;
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
  let count = hi - lo;
  for (const index of view.state.overrides.keys()) if (index >= lo && index < hi) count--;
  for (const index of view.state.deleted.keys()) if (index >= lo && index < hi) count--;
  for (const row of view.state.overrides.values()) if (inBounds(bounds, row.modifiedMs)) count++;
  return count;
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
