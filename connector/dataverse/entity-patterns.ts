/**
 * `entities` items that are patterns: `*` (every table) or globs such as `msdyn_*`, matched
 * against the logical names of the org's EntityDefinitions. Exact names are left as they are (the
 * metadata load reports an unknown one); a pattern that matches nothing is the config's fault.
 */
import { ConfigError } from '../errors';
import { quote } from '../config/quote';

/** Whether a config `entities` item is a pattern rather than a logical name. */
export function isPattern(item: string): boolean {
  return item.includes('*');
}

/** A whole-name matcher for a glob whose only wildcard is `*` (the spec allows nothing else). */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}

/** The inputs of one expansion. */
export interface PatternExpansion {
  /** The config `entities` items, in config order. */
  items: readonly string[];
  /** Logical names of the tables a pattern may stand for (readable ones: with an entity set). */
  tables: readonly string[];
  /** Names a pattern never stands for: the source's own streams (organization has its own). */
  reserved: ReadonlySet<string>;
  /** For the message: the environment the names were listed from. */
  orgUrl: string;
}

/**
 * The items with each pattern replaced by the tables it matches, sorted, each table once: a table
 * named exactly, or matched by an earlier pattern, is not added again (one stream per table).
 */
export function expandPatterns({ items, tables, reserved, orgUrl }: PatternExpansion): string[] {
  const exact = new Set(items.filter((i) => !isPattern(i)).map((i) => i.toLowerCase()));
  const sorted = [...tables].map((t) => t.toLowerCase()).sort();
  const out: string[] = [];
  const added = new Set<string>();
  const unmatched: string[] = [];
  items.forEach((item, i) => {
    if (!isPattern(item)) {
      out.push(item);
      return;
    }
    const matches = sorted.filter(globMatcher(item)).filter((name) => !reserved.has(name));
    if (matches.length === 0) unmatched.push(`config field "entities.${i}" is ${quote(item)}, which matches no table in ${orgUrl}`);
    for (const name of matches) {
      if (exact.has(name) || added.has(name)) continue;
      added.add(name);
      out.push(name);
    }
  });
  if (unmatched.length > 0) {
    throw new ConfigError(`${unmatched.join('; ')}: patterns match table logical names (e.g. "msdyn_*" for the tables whose names start with msdyn_); correct the pattern or remove it`);
  }
  return out;
}
