/**
 * Query options of the metadata routes: `$select`, `$filter` and `$expand` with nested options
 * (`OptionSet($select=Options)`, `Attributes($select=LogicalName;$filter=...)`), and the select
 * clause that goes into `@odata.context`.
 */
import { splitTopLevel } from './odata';

/** One `$expand` item with its nested options. */
export interface ExpandItem {
  property: string;
  select: string[] | null;
  filter: string | null;
}

/** The parsed query options of one metadata request. */
export interface MetadataQuery {
  select: string[] | null;
  filter: string | null;
  expand: ExpandItem[];
}

/**
 * System query options metadata queries do not take: metadata has no paging and no ordering
 * (facts §4). The service's exact answer to them is not documented; the emulator refuses them so
 * a client cannot come to rely on them [INF].
 */
const REFUSED = ['$top', '$skip', '$orderby', '$count', '$search', '$apply', '$skiptoken'];

function parseSelectList(raw: string): string[] {
  const names: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) if (item !== '' && !names.includes(item)) names.push(item);
  return names;
}

/** Parses `$expand`; the error is the 400 message. */
export function parseExpand(raw: string): ExpandItem[] | { error: string } {
  const items: ExpandItem[] = [];
  for (const part of splitTopLevel(raw, ',').map((s) => s.trim())) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$/s.exec(part);
    if (!m) return { error: `Syntax error in $expand at '${part}' [INF].` };
    const item: ExpandItem = { property: m[1], select: null, filter: null };
    for (const option of m[2] ? splitTopLevel(m[2], ';') : []) {
      const eq = option.indexOf('=');
      const name = option.slice(0, eq < 0 ? undefined : eq).trim();
      const value = eq < 0 ? '' : option.slice(eq + 1).trim();
      if (name === '$select') item.select = parseSelectList(value);
      else if (name === '$filter') item.filter = value;
      else if (name !== '') return { error: `The query option '${name}' is not supported inside $expand by the emulator's metadata routes [INF].` };
    }
    items.push(item);
  }
  return items;
}

/** Parses a metadata request's query; the error is the 400 message. */
export function parseMetadataQuery(query: URLSearchParams): MetadataQuery | { error: string } {
  for (const name of REFUSED) {
    if (query.has(name)) return { error: `The query parameter '${name}' is not supported on metadata queries (metadata has no paging) [INF].` };
  }
  const select = query.get('$select');
  const expandRaw = query.get('$expand');
  const expand = expandRaw === null ? [] : parseExpand(expandRaw);
  if (!Array.isArray(expand)) return expand;
  return { select: select === null ? null : parseSelectList(select), filter: query.get('$filter'), expand };
}

/**
 * The `(...)` select clause of `@odata.context`: selected properties, then each expansion with its
 * own selection (`OptionSet(Options)`, or `OptionSet()` when it has none, as in multiselect.json);
 * empty when nothing was selected or expanded.
 */
export function contextSelect(select: readonly string[] | null, expand: readonly ExpandItem[]): string {
  const items = [...(select ?? []), ...expand.map((e) => `${e.property}(${(e.select ?? []).join(',')})`)];
  return items.length > 0 ? `(${items.join(',')})` : '';
}

/** ODataLib's message for an unknown property in `$select` / `$expand` (error-400-bad-select.json). */
export function unknownProperty(name: string, typeName: string): string {
  return `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.${typeName}'.`;
}
