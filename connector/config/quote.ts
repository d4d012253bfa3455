/**
 * User values inside messages. A config, catalog or state file can hold anything, of any length:
 * a message quotes at most a line's worth of it and says how long the rest was, so a 100 KB
 * org_url or a pasted log never floods a TRACE line.
 */

/** The most characters of one user value a message repeats. */
export const QUOTE_LIMIT = 60;

/** `text` itself when short; else its first `max` characters, "...", and its length. */
export function cut(text: string, max = QUOTE_LIMIT): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/**
 * A user string in double quotes, JSON-escaped (a line break or a quote in it cannot break the
 * message), cut to `max` characters with the full length after the closing quote.
 */
export function quote(text: string, max = QUOTE_LIMIT): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(`${text.slice(0, max)}...`)} (${text.length} characters)`;
}

/** What a value of the wrong type is, for "found ..." (never the value itself: it may be anything). */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return `${value}`;
  return typeof value;
}

/** A list of names for a message: all of them when few, else the first `max` and how many in all. */
export function listOf(names: readonly string[], max = 10): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, ... (${names.length} in all)`;
}
