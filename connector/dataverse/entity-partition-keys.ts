/**
 * The partitions of an entity stream as keys: what a partitioned read saves in its state and
 * rebuilds from on resume (streams/partitions.ts). A key describes its partition fully:
 *
 * - `createdon:[2024-01-01T00:00:00Z,2024-02-01T00:00:00Z)`: rows created in that half-open range;
 *   either end may be open (`createdon:[,2024-02-01T00:00:00Z)`, `createdon:[2024-03-01T00:00:00Z,)`).
 * - `createdon:null`: rows without a `createdon`.
 * - `changes`: the narrow change-tracking pass whose delta token ends a first sync. Where it
 *   continues is its saved page link, not its key: the scheduler starts the data partitions only
 *   after the pass's first page, so every state with data progress holds the pass's link or
 *   result, and a pass resumed without one has no data read to miss changes of.
 *
 * Instants are whole seconds in UTC, rendered `YYYY-MM-DDTHH:mm:ssZ`: the unquoted OData
 * DateTimeOffset literal, the form the `modifiedon` cursor already sends, and the precision
 * Dataverse returns `createdon` in. A plan's ranges share their cut points (one range's end is the
 * next one's start, `lt` against `ge` of the same literal), the first is open below and the last
 * open above, so every non-null instant satisfies exactly one range: no row falls between two
 * ranges or into two, whatever the bounds were.
 */
import { quote } from '../config/quote';
import { ConfigError } from '../errors';

/** A range of `createdon` (epoch ms, whole seconds): `start <= createdon < end`, absent ends open. */
export interface CreatedRange {
  kind: 'range';
  start?: number;
  end?: number;
}

/**
 * Where a freshly planned pass goes on: after the first page the planner read (its nextLink, or
 * its token when that page was the last). Not part of the key: a restored pass has none.
 */
export type PassStart = { link: string } | { deltatoken: string };

/** What a key stands for. */
export type PartitionSpec = CreatedRange | { kind: 'null' } | { kind: 'changes'; start?: PassStart };

export const CHANGES_KEY = 'changes';
const NULL_KEY = 'createdon:null';
const RANGE_KEY = /^createdon:\[([^,[\]()]*),([^,[\]()]*)\)$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
/** The longest key written is a range of two instants (54 characters); a state may hold up to 1,024 (partition-state.ts). */
const MAX_KEY_CHARS = 1024;
const RESTART = 'start from a state printed by this connector, or from none';

/** `ms` as an OData DateTimeOffset literal, whole seconds. */
export function instantLiteral(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function keyOf(spec: PartitionSpec): string {
  if (spec.kind === 'null') return NULL_KEY;
  if (spec.kind === 'changes') return CHANGES_KEY;
  return `createdon:[${spec.start === undefined ? '' : instantLiteral(spec.start)},${spec.end === undefined ? '' : instantLiteral(spec.end)})`;
}

/** The `$filter` of a data partition. */
export function filterOf(spec: CreatedRange | { kind: 'null' }): string {
  if (spec.kind === 'null') return 'createdon eq null';
  const clauses = [];
  if (spec.start !== undefined) clauses.push(`createdon ge ${instantLiteral(spec.start)}`);
  if (spec.end !== undefined) clauses.push(`createdon lt ${instantLiteral(spec.end)}`);
  return clauses.join(' and ');
}

/** The partition a saved key stands for; a key this connector cannot have written is a ConfigError. */
export function parseKey(key: unknown): PartitionSpec {
  if (typeof key !== 'string') throw new ConfigError(`a saved partition key is not a string: ${RESTART}`);
  if (key.length > MAX_KEY_CHARS) throw new ConfigError(`a saved partition key is ${key.length} characters long, longer than any this connector writes: ${RESTART}`);
  const bad = (why: string) => new ConfigError(`the saved partition key ${quote(key)} ${why}: ${RESTART}`);
  if (key === NULL_KEY) return { kind: 'null' };
  if (key === CHANGES_KEY) return { kind: 'changes' };
  const m = RANGE_KEY.exec(key);
  if (!m) throw bad('is not a createdon range, createdon:null or a change-tracking pass');
  const start = m[1] === '' ? undefined : instant(m[1], bad);
  const end = m[2] === '' ? undefined : instant(m[2], bad);
  if (start === undefined && end === undefined) throw bad('has neither a start nor an end');
  if (start !== undefined && end !== undefined && start >= end) throw bad('ends before it starts');
  return { kind: 'range', start, end };
}

function instant(text: string, bad: (why: string) => ConfigError): number {
  const ms = INSTANT.test(text) ? Date.parse(text) : NaN;
  // Date.parse rolls 2024-02-30 over to March: only a literal that renders back to itself is one.
  if (Number.isNaN(ms) || instantLiteral(ms) !== text) throw bad(`holds ${quote(text)}, which is not an instant in whole seconds (YYYY-MM-DDTHH:mm:ssZ)`);
  return ms;
}

/**
 * The ranges a read of rows created from `minMs` to `maxMs` is cut into: at most `count`, of equal
 * length in time, cut at whole seconds, the first open below and the last open above (rows
 * created before the bounds were taken, or after, still belong to one). Fewer when the span has
 * fewer distinct seconds; one when it cannot be cut.
 */
export function cutRanges(minMs: number, maxMs: number, count: number): CreatedRange[] {
  const low = Math.floor(minMs / 1000) * 1000;
  const cuts: number[] = [];
  for (let i = 1; i < count; i++) {
    const cut = Math.floor((minMs + ((maxMs - minMs) * i) / count) / 1000) * 1000;
    // Strictly above the first second, so the first range holds the earliest row; at most the last row's time.
    if (cut > low && cut <= maxMs && cut !== cuts[cuts.length - 1]) cuts.push(cut);
  }
  const ranges: CreatedRange[] = [];
  let start: number | undefined;
  for (const cut of cuts) {
    ranges.push({ kind: 'range', start, end: cut });
    start = cut;
  }
  ranges.push({ kind: 'range', start });
  return ranges;
}
