/** How template values behave the Python way: printing, truthiness, equality and kind names. */

import { DateTimeValue } from './datetime';

/**
 * The string form of a value, as Jinja prints it in a mixed template: strings as-is,
 * booleans `True`/`False`, numbers as JavaScript prints them (the same as Python for
 * integers and ordinary decimals), datetimes as Python `str()`, lists and mappings as
 * compact JSON (Python would print its repr with single quotes), and undefined and null
 * as the empty string.
 */
export function toTemplateString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (value instanceof DateTimeValue) return value.toString();
  if (typeof value === 'object') return JSON.stringify(value) ?? '';
  return '';
}

/** Python truthiness: undefined, null, false, 0, NaN, "", [] and {} are false. */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof DateTimeValue) return true;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Describes a value's kind for error messages. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'an undefined value';
  if (value === null) return 'none';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof DateTimeValue) return value.dateOnly ? 'a date' : 'a datetime';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** A JSON-like mapping; datetimes are objects too but must not be read as mappings. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof DateTimeValue);
}

/** Own keys only, so a template can never reach `Object.prototype` members such as `constructor`. */
export function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** Python `==` on JSON-like values: structural for lists and mappings. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof DateTimeValue && b instanceof DateTimeValue) return a.compare(b) === 0 && a.dateOnly === b.dateOnly;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  }
  if (isMapping(a) && isMapping(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => hasOwn(b, k) && valuesEqual(a[k], b[k]));
  }
  return false;
}
