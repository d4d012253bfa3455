/**
 * Resource paths of the metadata routes: `EntityDefinitions(LogicalName='account')/Attributes(...)/
 * Microsoft.Dynamics.CRM.PicklistAttributeMetadata` split into segments, and their keys (a
 * MetadataId, or the alternate key `LogicalName='x'` / `Name='x'`, facts §4).
 */

/** One path segment: a name and the raw text between its parentheses, if any. */
export interface Segment {
  name: string;
  key: string | null;
}

/** A parsed key: by alternate key (name) or by MetadataId (lower-cased). */
export type KeySpec = { kind: 'name'; value: string } | { kind: 'id'; value: string };

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Splits a decoded path (below the API root) into segments; `/` inside `'...'` does not split. */
export function parseSegments(path: string): Segment[] | { error: string } {
  const raw: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of path) {
    if (ch === "'") quoted = !quoted;
    if (ch === '/' && !quoted) {
      raw.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  raw.push(current);
  const segments: Segment[] = [];
  for (const text of raw) {
    const m = /^([A-Za-z_][A-Za-z0-9_.]*)(?:\((.*)\))?$/s.exec(text);
    if (!m) return { error: `Bad Request - Error in query syntax: the segment '${text}' is malformed [INF].` };
    segments.push({ name: m[1], key: m[2] ?? null });
  }
  return segments;
}

/**
 * Parses a key: `<guid>`, `MetadataId=<guid>` or `<altKey>='value'` (`''` escapes a quote).
 * `altKey` is `LogicalName` for entities and attributes, `Name` for global option sets.
 */
export function parseKey(raw: string, altKey = 'LogicalName'): KeySpec | { error: string } {
  const text = raw.trim();
  if (GUID.test(text)) return { kind: 'id', value: text.toLowerCase() };
  const eq = text.indexOf('=');
  if (eq > 0) {
    const name = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (name === 'MetadataId' && GUID.test(value)) return { kind: 'id', value: value.toLowerCase() };
    const quoted = /^'((?:[^']|'')*)'$/.exec(value);
    if (name === altKey && quoted) return { kind: 'name', value: quoted[1].replace(/''/g, "'") };
  }
  return { error: `The key '${raw}' is not valid here: use a MetadataId or ${altKey}='...' [INF].` };
}
