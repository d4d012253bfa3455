/** Python-compatible text encoders behind the `urlencode`, `tojson` and `length` filters. */

import { DateTimeValue } from './datetime';
import { isMapping, toTemplateString } from './values';

const URL_ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

/** Python `urllib.parse.quote` over UTF-8 bytes. */
function urlQuote(text: string, safe: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 128 && (URL_ALWAYS_SAFE.test(c) || safe.includes(c)) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Jinja's url_quote: `/` kept in paths; in query strings nothing is safe and spaces become `+`. */
export function jinjaUrlQuote(value: unknown, forQueryString: boolean): string {
  const quoted = urlQuote(toTemplateString(value), forQueryString ? '' : '/');
  return forQueryString ? quoted.replace(/%20/g, '+') : quoted;
}

/** One `key=value` of a query string, both sides quoted as Jinja's urlencode does. */
export function queryPair(key: unknown, value: unknown): string {
  return `${jinjaUrlQuote(key, true)}=${jinjaUrlQuote(value, true)}`;
}

/** Python `json.dumps(value, sort_keys=True, indent=indent)` (ASCII-only output). */
export function pythonJson(value: unknown, indent: number | undefined, depth = 0): string {
  if (value === undefined || value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (value instanceof DateTimeValue) return pythonJson(value.toString(), indent);
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((item) => [undefined, item])
    : isMapping(value)
      ? Object.keys(value).sort().map((key) => [key, value[key]])
      : [];
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  const parts = entries.map(([key, item]) =>
    (key === undefined ? '' : `${pythonJson(key, indent)}: `) + pythonJson(item, indent, depth + 1),
  );
  if (indent === undefined) return open + parts.join(', ') + close;
  const inner = '\n' + ' '.repeat(indent * (depth + 1));
  return open + inner + parts.join(',' + inner) + '\n' + ' '.repeat(indent * depth) + close;
}

/** Number of code points, as Python's `len()` counts a string. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) count++;
  }
  return count;
}
