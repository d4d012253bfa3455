/**
 * OData conventions of the Dataverse Web API that every entity-set route shares: the Prefer
 * header, annotation selection, `$select`, and turning a stored row into its JSON form.
 */
import type { HeaderValue } from './router';
import type { RowData } from './world';

/** The Web API root every org route lives under. */
export const API_ROOT = '/api/data/v9.2';

/** Annotation terms Dataverse puts on row properties. */
export const FORMATTED_VALUE = 'OData.Community.Display.V1.FormattedValue';
export const ASSOCIATED_NAVIGATION_PROPERTY = 'Microsoft.Dynamics.CRM.associatednavigationproperty';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';

/**
 * Splits on `sep` at parenthesis depth 0 and outside `quote`-delimited literals (OData literals
 * use `'`, Prefer header values `"`).
 */
export function splitTopLevel(text: string, sep: string, quote = "'"): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === quote) quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === sep && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * The preferences of a request's `Prefer` header(s), keyed by lower-cased name; a preference
 * without a value maps to `true`. Clients send several preferences either as repeated headers
 * (as the docs do; node joins them with ", ") or comma-joined in one (RFC 7240); both parse alike,
 * and commas inside quoted values (include-annotations lists) are kept.
 */
export function parsePrefer(header: string | string[] | undefined): Map<string, string | true> {
  const prefs = new Map<string, string | true>();
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const item of splitTopLevel(text, ',', '"')) {
    const [pref] = splitTopLevel(item, ';', '"');
    const eq = pref.indexOf('=');
    const name = (eq < 0 ? pref : pref.slice(0, eq)).trim().toLowerCase();
    if (name === '') continue;
    const value = eq < 0 ? true : pref.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    prefs.set(name, value);
  }
  return prefs;
}

/**
 * A predicate over annotation terms from `odata.include-annotations` (comma-separated terms,
 * `*` wildcards such as `*` or `Microsoft.Dynamics.CRM.*`, `-term` to exclude). No preference means
 * no annotations.
 */
export function annotationFilter(prefs: Map<string, string | true>): (term: string) => boolean {
  const value = prefs.get('odata.include-annotations');
  if (typeof value !== 'string') return () => false;
  const toRegExp = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  const patterns = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const include = patterns.filter((p) => !p.startsWith('-')).map(toRegExp);
  const exclude = patterns.filter((p) => p.startsWith('-')).map((p) => toRegExp(p.slice(1)));
  return (term) => include.some((re) => re.test(term)) && !exclude.some((re) => re.test(term));
}

/**
 * The `Preference-Applied` values for the preferences a collection response honours, in the form
 * Dataverse echoes them (one header per preference).
 */
export function appliedPreferences(prefs: Map<string, string | true>): string[] {
  const applied: string[] = [];
  const pageSize = prefs.get('odata.maxpagesize');
  if (typeof pageSize === 'string' && /^[1-9]\d*$/.test(pageSize)) applied.push(`odata.maxpagesize=${pageSize}`);
  const annotations = prefs.get('odata.include-annotations');
  if (typeof annotations === 'string') applied.push(`odata.include-annotations="${annotations}"`);
  return applied;
}

/** `Preference-Applied` as a header entry, or nothing when no preference was honoured. */
export function preferenceAppliedHeader(prefs: Map<string, string | true>): Record<string, HeaderValue> {
  const applied = appliedPreferences(prefs);
  return applied.length > 0 ? { 'Preference-Applied': applied } : {};
}

/** A column of an entity set as the Web API exposes it. */
export interface ColumnSpec {
  /** The payload property name; lookups are `_<name>_value`. */
  property: string;
  /** For lookups: the navigation property and the target table. */
  lookup?: { navigationProperty: string; target: string };
}

/** An entity set's payload shape. */
export interface EntitySetShape {
  /** e.g. `organizations`. */
  setName: string;
  /** The entity type's logical name, e.g. `organization` (errors name `Microsoft.Dynamics.CRM.<type>`). */
  typeName: string;
  primaryKey: string;
  /** In the order rows list them when there is no `$select`. */
  columns: readonly ColumnSpec[];
}

/**
 * The columns `$select` names, or an error message worded as the service words it. Names are
 * case-sensitive, as in Dataverse ("Could not find a property named 'Name'...").
 */
export function parseSelect(shape: EntitySetShape, raw: string | null): { columns: string[] | null } | { error: string } {
  if (raw === null) return { columns: null };
  const known = new Set(shape.columns.map((c) => c.property));
  const columns: string[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (!known.has(item)) {
      return { error: `Could not find a property named '${item}' on type 'Microsoft.Dynamics.CRM.${shape.typeName}'.` };
    }
    if (!columns.includes(item)) columns.push(item);
  }
  return { columns };
}

/** `@odata.context` of a collection response, listing the `$select` as given. */
export function collectionContext(orgUrl: string, shape: EntitySetShape, select: string[] | null): string {
  return `${orgUrl}${API_ROOT}/$metadata#${shape.setName}${select ? `(${select.join(',')})` : ''}`;
}

/**
 * A row as JSON: `@odata.etag`, the selected columns (all when `select` is null) and the primary
 * key, which Dataverse always returns (after the selected columns when not selected). Each
 * property's requested annotations precede it, formatted value first, as in the service's output.
 */
export function renderRow(shape: EntitySetShape, row: RowData, select: string[] | null, include: (term: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': row.etag };
  const properties = select ? [...select] : shape.columns.map((c) => c.property);
  if (!properties.includes(shape.primaryKey)) properties.push(shape.primaryKey);
  for (const property of properties) {
    const value = row.values[property] ?? null;
    const formatted = row.formatted[property];
    if (value !== null && formatted !== undefined && include(FORMATTED_VALUE)) out[`${property}@${FORMATTED_VALUE}`] = formatted;
    const lookup = shape.columns.find((c) => c.property === property)?.lookup;
    if (lookup && value !== null) {
      if (include(ASSOCIATED_NAVIGATION_PROPERTY)) out[`${property}@${ASSOCIATED_NAVIGATION_PROPERTY}`] = lookup.navigationProperty;
      if (include(LOOKUP_LOGICAL_NAME)) out[`${property}@${LOOKUP_LOGICAL_NAME}`] = lookup.target;
    }
    out[property] = value;
  }
  return out;
}
