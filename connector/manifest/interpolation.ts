/**
 * Airbyte-style Jinja interpolation (`{{ config['org_url'] }}/api/data/v9.2`) without
 * `eval`: a template is tokenized and parsed once into an AST, and rendering walks it.
 *
 * Semantics follow Jinja as Airbyte uses it, with these documented choices:
 * - A template that is exactly one `{{ expr }}` (surrounding whitespace allowed) renders to
 *   the expression's value with its type (object, number, boolean, string, null, undefined).
 *   Airbyte instead renders to text and then `ast.literal_eval`s it, which also turns the
 *   *string* `"123"` into a number; here a string stays a string.
 * - Otherwise the result is a string, each value in Python `str()` form (see
 *   {@link toTemplateString}), except that null renders as `""` like undefined (Jinja prints
 *   `None`, which is never what a URL or header wants).
 * - Missing values are undefined, never errors: `a.b.c`, `a['x'][0]` with anything missing
 *   along the way give undefined (Jinja's default Undefined would raise on the second step).
 * - Context keys starting with `__` (such as the `__now` clock) are hooks, not variables.
 * - Only the functions, filters, tests and methods in the tables below exist; any other
 *   name is a compile-time ManifestError.
 */

import { ManifestError, childPath } from './errors';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/**
 * Variables a template can read: Airbyte's well-known names plus any other key.
 * `__now` is the clock behind `now_utc()`, `today_utc()` and `day_delta()`.
 */
export interface InterpolationContext {
  readonly config?: Record<string, unknown>;
  readonly parameters?: Record<string, unknown>;
  readonly stream_partition?: Record<string, unknown>;
  readonly stream_slice?: Record<string, unknown>;
  readonly stream_state?: Record<string, unknown>;
  readonly stream_interval?: Record<string, unknown>;
  readonly next_page_token?: unknown;
  readonly response?: unknown;
  readonly last_record?: unknown;
  readonly last_page_size?: number;
  readonly record?: unknown;
  readonly headers?: Record<string, unknown>;
  readonly __now?: () => Date;
  readonly [name: string]: unknown;
}

/** A compiled template. */
export interface Template {
  /** The template text as written in the manifest. */
  readonly source: string;
  /** YAML path of the template, used in errors. */
  readonly path: string;
  /** True when the text has no `{{ }}` expression: `render` always returns `source`. */
  readonly isConstant: boolean;
  /**
   * Renders the template. A single-expression template returns the value with its type;
   * any other template returns a string.
   * @throws ManifestError when an operation is invalid for the values at hand (e.g. `<`
   *   between a number and a string)
   */
  render(context: InterpolationContext): unknown;
}

/** A nested structure (mapping, list, scalars) whose strings are compiled templates. */
export interface TemplateTree {
  /** True when no string in the structure contains an expression. */
  readonly isConstant: boolean;
  /**
   * Renders every template and returns the same shape. Mapping keys are interpolated too
   * (as Airbyte's InterpolatedMapping does) and rendered in string form. Values rendering
   * to undefined or null are kept; dropping them is up to the consumer. Constant parts are
   * returned as given and must not be mutated.
   */
  render(context: InterpolationContext): unknown;
}

// ---------------------------------------------------------------------------
// Runtime values
// ---------------------------------------------------------------------------

/**
 * A Python-like datetime (or date, when `dateOnly`) as returned by `now_utc()`,
 * `today_utc()` and `str_to_datetime()`. Kept apart from `Date` because Python keeps
 * microseconds and the UTC offset, and both show up in `str()` and `strftime()`.
 */
class DateTimeValue {
  constructor(
    /** Whole seconds since the epoch, UTC. */
    readonly epochSeconds: number,
    /** 0..999999 */
    readonly microsecond: number,
    /** Offset of the local wall time from UTC, in minutes. */
    readonly offsetMinutes: number,
    readonly dateOnly: boolean,
  ) {}

  static fromDate(date: Date, dateOnly = false): DateTimeValue {
    const ms = date.getTime();
    if (dateOnly) return new DateTimeValue(Math.floor(ms / 86_400_000) * 86_400, 0, 0, true);
    const seconds = Math.floor(ms / 1000);
    return new DateTimeValue(seconds, (ms - seconds * 1000) * 1000, 0, false);
  }

  /** Calendar fields of the local wall time. */
  fields(): { year: number; month: number; day: number; hour: number; minute: number; second: number; yearDay: number } {
    const local = new Date((this.epochSeconds + this.offsetMinutes * 60) * 1000);
    const year = local.getUTCFullYear();
    const yearDay = Math.floor((local.getTime() - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
    return {
      year,
      month: local.getUTCMonth() + 1,
      day: local.getUTCDate(),
      hour: local.getUTCHours(),
      minute: local.getUTCMinutes(),
      second: local.getUTCSeconds(),
      yearDay,
    };
  }

  addDays(days: number): DateTimeValue {
    return new DateTimeValue(this.epochSeconds + Math.round(days * 86_400), this.microsecond, this.offsetMinutes, this.dateOnly);
  }

  compare(other: DateTimeValue): number {
    return this.epochSeconds - other.epochSeconds || this.microsecond - other.microsecond;
  }

  /** Python `str()`: `2021-09-01 00:00:00+00:00`, or `2021-09-01` for a date. */
  toString(): string {
    return this.dateOnly ? strftime(this, '%Y-%m-%d') : this.isoFormat(' ');
  }

  /** Python `isoformat()`. */
  isoFormat(separator = 'T'): string {
    if (this.dateOnly) return strftime(this, '%Y-%m-%d');
    const fraction = this.microsecond === 0 ? '' : `.${pad(this.microsecond, 6)}`;
    return `${strftime(this, `%Y-%m-%d${separator}%H:%M:%S`)}${fraction}${offsetText(this.offsetMinutes, ':')}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

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
function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '') return false;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof DateTimeValue) return true;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Describes a value's kind for error messages. */
function kindOf(value: unknown): string {
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

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof DateTimeValue);
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** Python `==` on JSON-like values: structural for lists and mappings. */
function valuesEqual(a: unknown, b: unknown): boolean {
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

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function offsetText(offsetMinutes: number, separator: string): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}

// ---------------------------------------------------------------------------
// Dates: strftime and ISO 8601 parsing
// ---------------------------------------------------------------------------

const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_ABBREVIATIONS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

class StrftimeError extends Error {}

/**
 * Python `strftime` for the directives connectors use: %Y %y %m %d %H %M %S %f %z %Z %s
 * %j %b %a %%. `%s` is the Unix timestamp, as Airbyte's `format_datetime` special-cases it.
 */
function strftime(dt: DateTimeValue, format: string): string {
  const f = dt.fields();
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const directive = format[++i];
    switch (directive) {
      case 'Y': out += pad(f.year, 4); break;
      case 'y': out += pad(f.year % 100, 2); break;
      case 'm': out += pad(f.month, 2); break;
      case 'd': out += pad(f.day, 2); break;
      case 'H': out += pad(f.hour, 2); break;
      case 'M': out += pad(f.minute, 2); break;
      case 'S': out += pad(f.second, 2); break;
      case 'f': out += pad(dt.microsecond, 6); break;
      case 'j': out += pad(f.yearDay, 3); break;
      case 'b': out += MONTH_ABBREVIATIONS[f.month - 1]; break;
      case 'a': out += DAY_ABBREVIATIONS[new Date(Date.UTC(f.year, f.month - 1, f.day)).getUTCDay()]; break;
      // A Python date has no timezone: %z and %Z print nothing.
      case 'z': out += dt.dateOnly ? '' : offsetText(dt.offsetMinutes, ''); break;
      case 'Z': out += dt.dateOnly ? '' : dt.offsetMinutes === 0 ? 'UTC' : `UTC${offsetText(dt.offsetMinutes, ':')}`; break;
      case 's': out += String(dt.epochSeconds); break;
      case '%': out += '%'; break;
      default:
        throw new StrftimeError(
          directive === undefined
            ? `format "${format}" ends with a lone %`
            : `unsupported strftime directive %${directive} in "${format}" (supported: %Y %y %m %d %H %M %S %f %z %Z %s %j %b %a %%)`,
        );
    }
  }
  return out;
}

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Reads an ISO 8601 date or date-time (`2022-01-14`, `2022-01-01 13:45:30`,
 * `2022-01-01T13:45:30.123456Z`, `...+02:00`); without an offset it is UTC, as in
 * Airbyte's `str_to_datetime`. A number is a Unix timestamp in seconds.
 */
function parseDateTime(value: string | number): DateTimeValue | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    const seconds = Math.floor(value);
    return new DateTimeValue(seconds, Math.round((value - seconds) * 1e6), 0, false);
  }
  const m = ISO_DATETIME.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offset = 0;
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const digits = zone.replace(':', '');
    offset = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0)) * (zone[0] === '-' ? -1 : 1);
  }
  const micro = m[7] ? Number(m[7].padEnd(6, '0').slice(0, 6)) : 0;
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offset * 60;
  return new DateTimeValue(epoch, micro, offset, false);
}

// ---------------------------------------------------------------------------
// Encoders for filters
// ---------------------------------------------------------------------------

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
function jinjaUrlQuote(value: unknown, forQueryString: boolean): string {
  const quoted = urlQuote(toTemplateString(value), forQueryString ? '' : '/');
  return forQueryString ? quoted.replace(/%20/g, '+') : quoted;
}

/** Python `json.dumps(value, sort_keys=True, indent=indent)` (ASCII-only output). */
function pythonJson(value: unknown, indent: number | undefined, depth = 0): string {
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
function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) count++;
  }
  return count;
}

// ---------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------

type BinaryOperator = '+' | '-' | '*' | '/' | '//' | '%' | '~';
type CompareOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not in';

type Node =
  | { readonly k: 'literal'; readonly value: unknown }
  | { readonly k: 'name'; readonly name: string }
  | { readonly k: 'attr'; readonly target: Node; readonly name: string }
  | { readonly k: 'item'; readonly target: Node; readonly key: Node }
  | { readonly k: 'call'; readonly fn: FunctionSpec; readonly args: readonly Node[] }
  | { readonly k: 'method'; readonly target: Node; readonly method: MethodSpec; readonly args: readonly Node[] }
  | { readonly k: 'filter'; readonly target: Node; readonly filter: FilterSpec; readonly args: readonly Node[] }
  | { readonly k: 'test'; readonly target: Node; readonly test: TestSpec; readonly negated: boolean }
  | { readonly k: 'not'; readonly operand: Node }
  | { readonly k: 'neg'; readonly operand: Node; readonly sign: 1 | -1 }
  | { readonly k: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly k: 'binary'; readonly op: BinaryOperator; readonly left: Node; readonly right: Node }
  | { readonly k: 'compare'; readonly first: Node; readonly rest: ReadonlyArray<{ readonly op: CompareOperator; readonly operand: Node }> }
  | { readonly k: 'cond'; readonly test: Node; readonly then: Node; readonly otherwise: Node | undefined }
  | { readonly k: 'list'; readonly items: readonly Node[] }
  | { readonly k: 'dict'; readonly entries: ReadonlyArray<readonly [Node, Node]> };

// ---------------------------------------------------------------------------
// Built-in tables: functions, methods, filters, tests
// ---------------------------------------------------------------------------

/** A parameter of a built-in; without `default` it is required. */
interface Param {
  readonly name: string;
  readonly default?: unknown;
}

/** What a built-in may need while rendering. */
interface RenderScope {
  readonly context: InterpolationContext;
  fail(message: string): never;
}

interface FunctionSpec {
  readonly params: readonly Param[];
  apply(args: unknown[], scope: RenderScope): unknown;
}

interface MethodSpec {
  readonly params: readonly Param[];
  apply(receiver: unknown, args: unknown[], scope: RenderScope): unknown;
}

interface FilterSpec {
  readonly params: readonly Param[];
  apply(value: unknown, args: unknown[], scope: RenderScope): unknown;
}

interface TestSpec {
  (value: unknown): boolean;
}

function now(context: InterpolationContext): Date {
  // The clock is injected through the context so tests and replays are deterministic.
  const clock = context.__now;
  return typeof clock === 'function' ? clock() : new Date();
}

function formatWith(scope: RenderScope, dt: DateTimeValue, format: unknown, what: string): string {
  if (typeof format !== 'string') return scope.fail(`${what} expects a format string, found ${kindOf(format)}`);
  try {
    return strftime(dt, format);
  } catch (error) {
    if (error instanceof StrftimeError) return scope.fail(`${what}: ${error.message}`);
    throw error;
  }
}

function toDateTime(scope: RenderScope, value: unknown, what: string): DateTimeValue {
  if (value instanceof DateTimeValue) return value;
  const parsed = typeof value === 'string' || typeof value === 'number' ? parseDateTime(value) : undefined;
  if (!parsed) {
    const shown = typeof value === 'string' ? `"${value}"` : kindOf(value);
    return scope.fail(`${what} cannot read ${shown} as an ISO 8601 date-time`);
  }
  return parsed;
}

const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
  now_utc: { params: [], apply: (_args, scope) => DateTimeValue.fromDate(now(scope.context)) },
  today_utc: { params: [], apply: (_args, scope) => DateTimeValue.fromDate(now(scope.context), true) },
  // Missing input gives undefined rather than an error, so an absent state renders as "".
  format_datetime: {
    params: [{ name: 'dt' }, { name: 'format' }],
    apply: ([dt, format], scope) =>
      dt === undefined || dt === null ? undefined : formatWith(scope, toDateTime(scope, dt, 'format_datetime()'), format, 'format_datetime()'),
  },
  str_to_datetime: {
    params: [{ name: 's' }],
    apply: ([s], scope) => (s === undefined || s === null ? undefined : toDateTime(scope, s, 'str_to_datetime()')),
  },
  day_delta: {
    params: [{ name: 'num_days' }, { name: 'format', default: '%Y-%m-%dT%H:%M:%S.%f%z' }],
    apply: ([days, format], scope) => {
      if (typeof days !== 'number') return scope.fail(`day_delta() expects a number of days, found ${kindOf(days)}`);
      return formatWith(scope, DateTimeValue.fromDate(now(scope.context)).addDays(days), format, 'day_delta()');
    },
  },
};

function stringMethod(name: string, params: readonly Param[], fn: (text: string, args: unknown[], scope: RenderScope) => unknown): MethodSpec {
  return {
    params,
    apply: (receiver, args, scope) => {
      if (receiver === undefined || receiver === null) return undefined;
      if (typeof receiver !== 'string') return scope.fail(`.${name}() works on strings, found ${kindOf(receiver)}`);
      return fn(receiver, args, scope);
    },
  };
}

function stringArgument(scope: RenderScope, method: string, value: unknown): string {
  return typeof value === 'string' ? value : scope.fail(`.${method}() expects a string argument, found ${kindOf(value)}`);
}

const METHODS: Readonly<Record<string, MethodSpec>> = {
  // dict.get: manifests write config.get('x', 'fallback'); Python's default is None.
  get: {
    params: [{ name: 'key' }, { name: 'default', default: null }],
    apply: (receiver, [key, fallback], scope) => {
      if (receiver === undefined || receiver === null) return fallback;
      if (!isMapping(receiver)) return scope.fail(`.get() works on mappings, found ${kindOf(receiver)}`);
      const name = toTemplateString(key);
      return hasOwn(receiver, name) ? receiver[name] : fallback;
    },
  },
  strip: stringMethod('strip', [], (text) => text.trim()),
  lower: stringMethod('lower', [], (text) => text.toLowerCase()),
  upper: stringMethod('upper', [], (text) => text.toUpperCase()),
  startswith: stringMethod('startswith', [{ name: 'prefix' }], (text, [prefix], scope) =>
    text.startsWith(stringArgument(scope, 'startswith', prefix)),
  ),
  endswith: stringMethod('endswith', [{ name: 'suffix' }], (text, [suffix], scope) =>
    text.endsWith(stringArgument(scope, 'endswith', suffix)),
  ),
  // now_utc().strftime('%Y-%m-%d') is the most common date form in Airbyte manifests.
  strftime: {
    params: [{ name: 'format' }],
    apply: (receiver, [format], scope) => {
      if (receiver === undefined || receiver === null) return undefined;
      if (!(receiver instanceof DateTimeValue)) return scope.fail(`.strftime() works on datetimes, found ${kindOf(receiver)}`);
      return formatWith(scope, receiver, format, '.strftime()');
    },
  },
  isoformat: {
    params: [],
    apply: (receiver, _args, scope) => {
      if (receiver === undefined || receiver === null) return undefined;
      if (!(receiver instanceof DateTimeValue)) return scope.fail(`.isoformat() works on datetimes, found ${kindOf(receiver)}`);
      return receiver.isoFormat();
    },
  },
};

/** Jinja's `int` filter: int(), then int(float()), else the default. */
function toInt(value: unknown, fallback: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : fallback;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(text)) return Number(text);
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Math.trunc(Number(text));
  }
  return fallback;
}

function replaceText(text: string, old: string, replacement: string, count: number | undefined): string {
  if (count === undefined || count < 0) return text.split(old).join(replacement);
  let out = '';
  let from = 0;
  for (let done = 0; done < count; done++) {
    const at = text.indexOf(old, from);
    if (at < 0 || (old === '' && at >= text.length)) break;
    out += text.slice(from, at) + replacement;
    from = at + old.length;
    if (old === '') {
      out += text[at];
      from = at + 1;
    }
  }
  return out + text.slice(from);
}

const DEFAULT_FILTER: FilterSpec = {
  // Jinja: only undefined is replaced, unless the second argument asks for any falsy value.
  params: [{ name: 'default_value', default: '' }, { name: 'boolean', default: false }],
  apply: (value, [fallback, boolean]) => (value === undefined || (boolean === true && !isTruthy(value)) ? fallback : value),
};

const LENGTH_FILTER: FilterSpec = {
  params: [],
  apply: (value, _args, scope) => {
    if (value === undefined || value === null) return 0;
    if (typeof value === 'string') return codePointLength(value);
    if (Array.isArray(value)) return value.length;
    if (isMapping(value)) return Object.keys(value).length;
    return scope.fail(`length needs a string, list or mapping, found ${kindOf(value)}`);
  },
};

const FILTERS: Readonly<Record<string, FilterSpec>> = {
  default: DEFAULT_FILTER,
  d: DEFAULT_FILTER,
  string: { params: [], apply: (value) => toTemplateString(value) },
  int: { params: [{ name: 'default', default: 0 }], apply: (value, [fallback]) => toInt(value, fallback) },
  trim: { params: [], apply: (value) => toTemplateString(value).trim() },
  lower: { params: [], apply: (value) => toTemplateString(value).toLowerCase() },
  upper: { params: [], apply: (value) => toTemplateString(value).toUpperCase() },
  urlencode: {
    params: [],
    apply: (value, _args, scope) => {
      if (isMapping(value)) {
        return Object.entries(value).map(([k, v]) => `${jinjaUrlQuote(k, true)}=${jinjaUrlQuote(v, true)}`).join('&');
      }
      if (Array.isArray(value)) {
        return value
          .map((pair) => {
            if (!Array.isArray(pair) || pair.length !== 2) return scope.fail('urlencode expects a list of [key, value] pairs');
            return `${jinjaUrlQuote(pair[0], true)}=${jinjaUrlQuote(pair[1], true)}`;
          })
          .join('&');
      }
      return jinjaUrlQuote(value, false);
    },
  },
  tojson: {
    params: [{ name: 'indent', default: null }],
    apply: (value, [indent]) =>
      pythonJson(value, typeof indent === 'number' ? indent : undefined)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/'/g, '\\u0027'),
  },
  length: LENGTH_FILTER,
  // Jinja's alias of length.
  count: LENGTH_FILTER,
  replace: {
    params: [{ name: 'old' }, { name: 'new' }, { name: 'count', default: null }],
    apply: (value, [old, replacement, count]) =>
      replaceText(toTemplateString(value), toTemplateString(old), toTemplateString(replacement), typeof count === 'number' ? count : undefined),
  },
  join: {
    params: [{ name: 'd', default: '' }],
    apply: (value, [separator], scope) => {
      if (value === undefined || value === null) return '';
      if (!Array.isArray(value)) return scope.fail(`join needs a list, found ${kindOf(value)}`);
      return value.map(toTemplateString).join(toTemplateString(separator));
    },
  },
};

const TESTS: Readonly<Record<string, TestSpec>> = {
  defined: (v) => v !== undefined,
  undefined: (v) => v === undefined,
  none: (v) => v === null,
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  float: (v) => typeof v === 'number' && !Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  true: (v) => v === true,
  false: (v) => v === false,
  mapping: (v) => isMapping(v),
  sequence: (v) => Array.isArray(v) || typeof v === 'string',
};

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

type TokenKind = 'name' | 'string' | 'number' | 'op' | 'end';

interface Token {
  readonly kind: TokenKind;
  /** Operator or name text; the decoded value for strings. */
  readonly text: string;
  readonly number?: number;
  /** Offset in the template source, for error columns. */
  readonly pos: number;
}

type FailAt = (pos: number, message: string) => never;

const OPERATORS = ['//', '==', '!=', '<=', '>=', '(', ')', '[', ']', '{', '}', '.', ',', ':', '|', '~', '+', '-', '*', '/', '%', '<', '>', '='];
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0', '\\': '\\', "'": "'", '"': '"', '\n': '',
};

// Sticky patterns match in place, without slicing the source.
const NAME_PATTERN = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER_PATTERN = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function matchAt(pattern: RegExp, source: string, pos: number): string {
  pattern.lastIndex = pos;
  return pattern.exec(source)![0];
}

/**
 * Tokenizes one `{{ ... }}` expression starting at `start` (just after `{{` or `{{-`).
 * Brackets are balanced so that `}}` inside a dict literal does not end the expression,
 * the way Jinja's lexer does it.
 */
function tokenizeExpression(source: string, open: number, start: number, failAt: FailAt): { tokens: Token[]; next: number; stripAfter: boolean } {
  const tokens: Token[] = [];
  const brackets: string[] = [];
  let pos = start;
  for (;;) {
    while (pos < source.length && /\s/.test(source[pos])) pos++;
    if (pos >= source.length) failAt(open, 'unterminated expression: "{{" has no matching "}}"');
    if (brackets.length === 0) {
      if (source.startsWith('-}}', pos)) {
        tokens.push({ kind: 'end', text: '}}', pos });
        return { tokens, next: pos + 3, stripAfter: true };
      }
      if (source.startsWith('}}', pos)) {
        tokens.push({ kind: 'end', text: '}}', pos });
        return { tokens, next: pos + 2, stripAfter: false };
      }
    }
    const c = source[pos];
    if (/[A-Za-z_]/.test(c)) {
      const text = matchAt(NAME_PATTERN, source, pos);
      tokens.push({ kind: 'name', text, pos });
      pos += text.length;
    } else if (/[0-9]/.test(c)) {
      const text = matchAt(NUMBER_PATTERN, source, pos);
      tokens.push({ kind: 'number', text, number: Number(text), pos });
      pos += text.length;
    } else if (c === "'" || c === '"') {
      const { value, next } = readString(source, pos, failAt);
      tokens.push({ kind: 'string', text: value, pos });
      pos = next;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, pos));
      if (op === undefined) failAt(pos, `unexpected character "${c}"`);
      if (op === '(' || op === '[' || op === '{') brackets.push(op);
      if (op === ')' || op === ']' || op === '}') {
        const open = brackets.pop();
        const expected = open === '(' ? ')' : open === '[' ? ']' : open === '{' ? '}' : undefined;
        if (expected !== op) failAt(pos, expected ? `expected "${expected}" but found "${op}"` : `unexpected "${op}"`);
      }
      tokens.push({ kind: 'op', text: op, pos });
      pos += op.length;
    }
  }
}

/** Reads a quoted string literal with Python escapes; an unknown escape keeps its backslash. */
function readString(source: string, start: number, failAt: FailAt): { value: string; next: number } {
  const quote = source[start];
  let value = '';
  let pos = start + 1;
  while (pos < source.length) {
    const c = source[pos];
    if (c === quote) return { value, next: pos + 1 };
    if (c !== '\\') {
      value += c;
      pos++;
      continue;
    }
    const e = source[pos + 1];
    if (e === undefined) break;
    if (hasOwn(SIMPLE_ESCAPES, e)) {
      value += SIMPLE_ESCAPES[e];
      pos += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = source.slice(pos + 2, pos + 2 + width);
      if (!new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(hex)) failAt(pos, `invalid \\${e} escape: expected ${width} hex digits`);
      value += String.fromCodePoint(parseInt(hex, 16));
      pos += 2 + width;
    } else {
      value += `\\${e}`;
      pos += 2;
    }
  }
  return failAt(start, 'unterminated string literal');
}

// ---------------------------------------------------------------------------
// Parser (precedence as in Jinja: if-else < or < and < not < comparisons < + - < ~ < * / // %
// < unary - < postfix . [] () < filters | and tests is)
// ---------------------------------------------------------------------------

const KEYWORD_LITERALS: Readonly<Record<string, unknown>> = {
  true: true, false: false, True: true, False: false, none: null, None: null, null: null,
};
const RESERVED = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else']);
const COMPARE_OPERATORS = new Set(['==', '!=', '<', '>', '<=', '>=']);

class Parser {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly failAt: FailAt,
  ) {}

  parseWhole(): Node {
    if (this.peek().kind === 'end') this.failAt(this.peek().pos, 'empty expression: expected something between "{{" and "}}"');
    const node = this.parseConditional();
    const token = this.peek();
    if (token.kind !== 'end') this.failAt(token.pos, `unexpected ${describeToken(token)}; expected an operator or "}}"`);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private isOp(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'op' && token.text === text;
  }

  private isName(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'name' && token.text === text;
  }

  private expectOp(text: string): Token {
    const token = this.peek();
    if (token.kind !== 'op' || token.text !== text) this.failAt(token.pos, `expected "${text}" but found ${describeToken(token)}`);
    return this.next();
  }

  private parseConditional(): Node {
    let node = this.parseOr();
    while (this.isName('if')) {
      this.next();
      const test = this.parseOr();
      let otherwise: Node | undefined;
      if (this.isName('else')) {
        this.next();
        otherwise = this.parseConditional();
      }
      node = { k: 'cond', test, then: node, otherwise };
    }
    return node;
  }

  private parseOr(): Node {
    let node = this.parseAnd();
    while (this.isName('or')) {
      this.next();
      node = { k: 'or', left: node, right: this.parseAnd() };
    }
    return node;
  }

  private parseAnd(): Node {
    let node = this.parseNot();
    while (this.isName('and')) {
      this.next();
      node = { k: 'and', left: node, right: this.parseNot() };
    }
    return node;
  }

  private parseNot(): Node {
    if (this.isName('not')) {
      this.next();
      return { k: 'not', operand: this.parseNot() };
    }
    return this.parseCompare();
  }

  private parseCompare(): Node {
    const first = this.parseAdditive();
    const rest: Array<{ op: CompareOperator; operand: Node }> = [];
    for (;;) {
      const token = this.peek();
      let op: CompareOperator;
      if (token.kind === 'op' && COMPARE_OPERATORS.has(token.text)) {
        op = token.text as CompareOperator;
        this.next();
      } else if (this.isName('in')) {
        op = 'in';
        this.next();
      } else if (this.isName('not') && this.isName('in', 1)) {
        op = 'not in';
        this.next();
        this.next();
      } else {
        break;
      }
      rest.push({ op, operand: this.parseAdditive() });
    }
    return rest.length === 0 ? first : { k: 'compare', first, rest };
  }

  private parseAdditive(): Node {
    let node = this.parseConcat();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as BinaryOperator;
      node = { k: 'binary', op, left: node, right: this.parseConcat() };
    }
    return node;
  }

  private parseConcat(): Node {
    let node = this.parseMultiplicative();
    while (this.isOp('~')) {
      this.next();
      node = { k: 'binary', op: '~', left: node, right: this.parseMultiplicative() };
    }
    return node;
  }

  private parseMultiplicative(): Node {
    let node = this.parseUnary(true);
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().text as BinaryOperator;
      node = { k: 'binary', op, left: node, right: this.parseUnary(true) };
    }
    return node;
  }

  private parseUnary(withFilters: boolean): Node {
    let node: Node;
    if (this.isOp('-') || this.isOp('+')) {
      const sign = this.next().text === '-' ? -1 : 1;
      node = { k: 'neg', operand: this.parseUnary(false), sign };
    } else {
      node = this.parsePrimary();
    }
    node = this.parsePostfix(node);
    return withFilters ? this.parseFiltersAndTests(node) : node;
  }

  private parsePrimary(): Node {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { k: 'literal', value: token.text };
      case 'number':
        return { k: 'literal', value: token.number };
      case 'name':
        if (hasOwn(KEYWORD_LITERALS, token.text)) return { k: 'literal', value: KEYWORD_LITERALS[token.text] };
        if (RESERVED.has(token.text)) this.failAt(token.pos, `unexpected keyword "${token.text}"; expected a value`);
        if (this.isOp('(')) return this.parseFunctionCall(token);
        return { k: 'name', name: token.text };
      case 'op':
        if (token.text === '(') {
          const inner = this.parseConditional();
          if (this.isOp(',')) this.failAt(this.peek().pos, 'tuples are not supported; use a list [a, b]');
          this.expectOp(')');
          return inner;
        }
        if (token.text === '[') return { k: 'list', items: this.parseSequence(']') };
        if (token.text === '{') return this.parseDict();
        return this.failAt(token.pos, `unexpected "${token.text}"; expected a value`);
      default:
        return this.failAt(token.pos, `unexpected ${describeToken(token)}; expected a value`);
    }
  }

  private parseSequence(close: string): Node[] {
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseConditional());
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(close);
    return items;
  }

  private parseDict(): Node {
    const entries: Array<[Node, Node]> = [];
    while (!this.isOp('}')) {
      const key = this.parseConditional();
      this.expectOp(':');
      entries.push([key, this.parseConditional()]);
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp('}');
    return { k: 'dict', entries };
  }

  private parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const token = this.next();
        if (token.kind === 'number' && Number.isInteger(token.number)) {
          node = { k: 'item', target: node, key: { k: 'literal', value: token.number } };
        } else if (token.kind === 'name') {
          node = this.isOp('(') ? this.parseMethodCall(node, token) : { k: 'attr', target: node, name: token.text };
        } else {
          this.failAt(token.pos, `expected a name after "." but found ${describeToken(token)}`);
        }
      } else if (this.isOp('[')) {
        const open = this.next();
        if (this.isOp(']') || this.isOp(':')) this.failAt(open.pos, 'expected an index or key inside "[...]" (slices are not supported)');
        const key = this.parseConditional();
        if (this.isOp(':')) this.failAt(this.peek().pos, 'slices are not supported');
        this.expectOp(']');
        node = { k: 'item', target: node, key };
      } else if (this.isOp('(')) {
        this.failAt(this.peek().pos, `only the functions ${Object.keys(FUNCTIONS).join(', ')} and the methods .${Object.keys(METHODS).join('(), .')}() can be called`);
      } else {
        return node;
      }
    }
  }

  private parseFiltersAndTests(start: Node): Node {
    let node = start;
    for (;;) {
      if (this.isOp('|')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'name') this.failAt(name.pos, `expected a filter name after "|" but found ${describeToken(name)}`);
        const filter = hasOwn(FILTERS, name.text) ? FILTERS[name.text] : undefined;
        if (!filter) this.failAt(name.pos, `unknown filter "${name.text}"; supported filters: ${Object.keys(FILTERS).join(', ')}`);
        const args = this.isOp('(') ? this.parseArguments(filter.params, `filter "${name.text}"`, name.pos) : this.bindArguments(filter.params, [], new Map(), `filter "${name.text}"`, name.pos);
        node = { k: 'filter', target: node, filter, args };
      } else if (this.isName('is')) {
        this.next();
        let negated = false;
        if (this.isName('not')) {
          this.next();
          negated = true;
        }
        const name = this.next();
        const testName = name.kind === 'name' ? name.text : '';
        const test = hasOwn(TESTS, testName) ? TESTS[testName] : undefined;
        if (!test) this.failAt(name.pos, `unknown test "${name.kind === 'end' ? '' : name.text}" after "is"; supported tests: ${Object.keys(TESTS).join(', ')}`);
        node = { k: 'test', target: node, test, negated };
      } else {
        return node;
      }
    }
  }

  private parseFunctionCall(name: Token): Node {
    const fn = hasOwn(FUNCTIONS, name.text) ? FUNCTIONS[name.text] : undefined;
    if (!fn) this.failAt(name.pos, `unknown function "${name.text}()"; supported functions: ${Object.keys(FUNCTIONS).join(', ')}`);
    return { k: 'call', fn, args: this.parseArguments(fn.params, `${name.text}()`, name.pos) };
  }

  private parseMethodCall(target: Node, name: Token): Node {
    const method = hasOwn(METHODS, name.text) ? METHODS[name.text] : undefined;
    if (!method) this.failAt(name.pos, `unsupported method ".${name.text}()"; supported methods: .${Object.keys(METHODS).join('(), .')}()`);
    return { k: 'method', target, method, args: this.parseArguments(method.params, `.${name.text}()`, name.pos) };
  }

  /** Parses `(a, b, name=c)` and binds it to the parameter list at compile time. */
  private parseArguments(params: readonly Param[], what: string, pos: number): Node[] {
    this.expectOp('(');
    const positional: Node[] = [];
    const keywords = new Map<string, Node>();
    while (!this.isOp(')')) {
      if (this.peek().kind === 'name' && this.isOp('=', 1)) {
        const key = this.next();
        this.next();
        if (keywords.has(key.text)) this.failAt(key.pos, `${what} got "${key.text}" twice`);
        keywords.set(key.text, this.parseConditional());
      } else {
        if (keywords.size > 0) this.failAt(this.peek().pos, `${what}: positional arguments must come before keyword arguments`);
        positional.push(this.parseConditional());
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    this.expectOp(')');
    return this.bindArguments(params, positional, keywords, what, pos);
  }

  private bindArguments(params: readonly Param[], positional: Node[], keywords: Map<string, Node>, what: string, pos: number): Node[] {
    if (positional.length > params.length) {
      this.failAt(pos, `${what} takes at most ${params.length} argument${params.length === 1 ? '' : 's'}, got ${positional.length}`);
    }
    for (const key of keywords.keys()) {
      if (!params.some((p) => p.name === key)) this.failAt(pos, `${what} has no parameter "${key}"`);
    }
    return params.map((param, i): Node => {
      const given = i < positional.length ? positional[i] : keywords.get(param.name);
      if (given) {
        if (i < positional.length && keywords.has(param.name)) this.failAt(pos, `${what} got "${param.name}" twice`);
        return given;
      }
      if (!('default' in param)) this.failAt(pos, `${what} is missing its "${param.name}" argument`);
      return { k: 'literal', value: param.default };
    });
  }
}

function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end': return '"}}"';
    case 'string': return `the string ${JSON.stringify(token.text)}`;
    case 'number': return `the number ${token.text}`;
    case 'name': return `"${token.text}"`;
    default: return `"${token.text}"`;
  }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

class CompiledTemplate implements Template, RenderScope {
  readonly isConstant: boolean;
  /** Set while rendering, so built-ins can reach the clock without an extra allocation. */
  context: InterpolationContext = {};

  constructor(
    readonly source: string,
    readonly path: string,
    private readonly parts: ReadonlyArray<string | Node>,
    /** The expression when the template is exactly one `{{ }}`. */
    private readonly single: Node | undefined,
  ) {
    this.isConstant = parts.every((part) => typeof part === 'string');
  }

  render(context: InterpolationContext): unknown {
    if (this.isConstant) return this.source;
    const previous = this.context;
    this.context = context;
    try {
      if (this.single) {
        const value = this.evaluate(this.single);
        return value instanceof DateTimeValue ? value.toString() : value;
      }
      let out = '';
      for (const part of this.parts) out += typeof part === 'string' ? part : toTemplateString(this.evaluate(part));
      return out;
    } finally {
      // Restored for the (rare) re-entrant render with another context.
      this.context = previous;
    }
  }

  fail(message: string): never {
    throw new ManifestError(this.path, `in template ${JSON.stringify(this.source)}: ${message}`);
  }

  private evaluate(node: Node): unknown {
    switch (node.k) {
      case 'literal':
        return node.value;
      case 'name':
        return node.name.startsWith('__') || !hasOwn(this.context, node.name) ? undefined : this.context[node.name];
      case 'attr':
        return getAttribute(this.evaluate(node.target), node.name);
      case 'item':
        return getItem(this.evaluate(node.target), this.evaluate(node.key));
      case 'call':
        return node.fn.apply(this.evaluateAll(node.args), this);
      case 'method':
        return node.method.apply(this.evaluate(node.target), this.evaluateAll(node.args), this);
      case 'filter':
        return node.filter.apply(this.evaluate(node.target), this.evaluateAll(node.args), this);
      case 'test':
        return node.test(this.evaluate(node.target)) !== node.negated;
      case 'not':
        return !isTruthy(this.evaluate(node.operand));
      case 'neg': {
        const value = this.evaluate(node.operand);
        if (typeof value !== 'number') return this.fail(`unary ${node.sign < 0 ? '-' : '+'} needs a number, found ${kindOf(value)}`);
        return node.sign * value;
      }
      case 'and': {
        const left = this.evaluate(node.left);
        return isTruthy(left) ? this.evaluate(node.right) : left;
      }
      case 'or': {
        const left = this.evaluate(node.left);
        return isTruthy(left) ? left : this.evaluate(node.right);
      }
      case 'binary':
        return this.binary(node.op, this.evaluate(node.left), this.evaluate(node.right));
      case 'compare': {
        // Chained like Python: a < b < c means a < b and b < c.
        let left = this.evaluate(node.first);
        for (const { op, operand } of node.rest) {
          const right = this.evaluate(operand);
          if (!this.compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'cond':
        return isTruthy(this.evaluate(node.test)) ? this.evaluate(node.then) : node.otherwise && this.evaluate(node.otherwise);
      case 'list':
        return this.evaluateAll(node.items);
      case 'dict': {
        const out: Record<string, unknown> = {};
        for (const [key, value] of node.entries) out[toTemplateString(this.evaluate(key))] = this.evaluate(value);
        return out;
      }
    }
  }

  private evaluateAll(nodes: readonly Node[]): unknown[] {
    const out = new Array<unknown>(nodes.length);
    for (let i = 0; i < nodes.length; i++) out[i] = this.evaluate(nodes[i]);
    return out;
  }

  private binary(op: BinaryOperator, left: unknown, right: unknown): unknown {
    if (op === '~') return toTemplateString(left) + toTemplateString(right);
    if (op === '+') {
      if (typeof left === 'string' && typeof right === 'string') return left + right;
      if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
    }
    if (typeof left !== 'number' || typeof right !== 'number') {
      const hint = op === '+' ? '; use ~ to join values as text' : '';
      return this.fail(`cannot apply "${op}" to ${kindOf(left)} and ${kindOf(right)}${hint}`);
    }
    switch (op) {
      case '+': return left + right;
      case '-': return left - right;
      case '*': return left * right;
      default:
        if (right === 0) return this.fail(`division by zero in "${op}"`);
        if (op === '/') return left / right;
        if (op === '//') return Math.floor(left / right);
        // Python's % takes the sign of the divisor.
        return ((left % right) + right) % right;
    }
  }

  private compare(op: CompareOperator, left: unknown, right: unknown): boolean {
    switch (op) {
      case '==': return valuesEqual(left, right);
      case '!=': return !valuesEqual(left, right);
      case 'in': return this.contains(right, left);
      case 'not in': return !this.contains(right, left);
      default: {
        const order = this.order(op, left, right);
        return op === '<' ? order < 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order >= 0;
      }
    }
  }

  private order(op: string, left: unknown, right: unknown): number {
    if (typeof left === 'number' && typeof right === 'number') return left - right;
    if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0;
    if (left instanceof DateTimeValue && right instanceof DateTimeValue) return left.compare(right);
    return this.fail(`cannot compare ${kindOf(left)} with ${kindOf(right)} using "${op}"`);
  }

  private contains(container: unknown, item: unknown): boolean {
    if (container === undefined || container === null) return false;
    if (typeof container === 'string') {
      if (typeof item !== 'string') return this.fail(`"in" on a string needs a string on the left, found ${kindOf(item)}`);
      return container.includes(item);
    }
    if (Array.isArray(container)) return container.some((element) => valuesEqual(element, item));
    if (isMapping(container)) return hasOwn(container, toTemplateString(item));
    return this.fail(`"in" needs a string, list or mapping on the right, found ${kindOf(container)}`);
  }
}

/** `a.b`: a mapping's own key; anything else (lists, strings, missing values) gives undefined. */
function getAttribute(target: unknown, name: string): unknown {
  return isMapping(target) && hasOwn(target, name) ? target[name] : undefined;
}

/** `a[k]`: mapping key, or list/string index (negative counts from the end, as in Python). */
function getItem(target: unknown, key: unknown): unknown {
  if (isMapping(target)) {
    const name = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : undefined;
    return name !== undefined && hasOwn(target, name) ? target[name] : undefined;
  }
  if ((Array.isArray(target) || typeof target === 'string') && typeof key === 'number' && Number.isInteger(key)) {
    const index = key < 0 ? target.length + key : key;
    return index >= 0 && index < target.length ? target[index] : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Compilation entry points
// ---------------------------------------------------------------------------

/**
 * Compiles a template string once; render it as often as needed.
 *
 * @param source the template text, e.g. `{{ config['org_url'] }}/api/data/v9.2/`
 * @param path YAML path of the string, used in every error message
 * @throws ManifestError on syntax errors (with the column), Jinja statements `{% %}` and
 *   comments `{# #}`, and unknown functions, filters, tests or methods
 */
export function compileTemplate(source: string, path = '<template>'): Template {
  const failAt: FailAt = (pos, message) => {
    throw new ManifestError(path, `template syntax error at ${locationOf(source, pos)}: ${message} in ${JSON.stringify(source)}`);
  };
  const parts: Array<string | Node> = [];
  let pos = 0;
  let stripLeading = false;
  for (;;) {
    const open = findBlockStart(source, pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (stripLeading) text = text.replace(/^\s+/, '');
    if (open < 0) {
      if (text !== '') parts.push(text);
      break;
    }
    const kind = source[open + 1];
    if (kind === '%') failAt(open, 'Jinja statements ({% ... %}) are not supported; use a {{ ... }} expression');
    if (kind === '#') failAt(open, 'Jinja comments ({# ... #}) are not supported');
    let start = open + 2;
    if (source[start] === '-') {
      text = text.replace(/\s+$/, '');
      start++;
    }
    if (text !== '') parts.push(text);
    const { tokens, next, stripAfter } = tokenizeExpression(source, open, start, failAt);
    parts.push(new Parser(tokens, failAt).parseWhole());
    pos = next;
    stripLeading = stripAfter;
  }
  const expressions = parts.filter((part): part is Node => typeof part !== 'string');
  const single =
    expressions.length === 1 && parts.every((part) => typeof part !== 'string' || part.trim() === '') ? expressions[0] : undefined;
  return new CompiledTemplate(source, path, parts, single);
}

function findBlockStart(source: string, from: number): number {
  for (let i = source.indexOf('{', from); i >= 0 && i < source.length - 1; i = source.indexOf('{', i + 1)) {
    const next = source[i + 1];
    if (next === '{' || next === '%' || next === '#') return i;
  }
  return -1;
}

function locationOf(source: string, pos: number): string {
  const before = source.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - (before.lastIndexOf('\n') + 1) + 1;
  return line > 1 || source.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}

type TreeNode =
  | { readonly k: 'constant'; readonly value: unknown }
  | { readonly k: 'template'; readonly template: Template }
  | { readonly k: 'list'; readonly items: readonly TreeNode[] }
  | { readonly k: 'map'; readonly entries: ReadonlyArray<{ readonly key: string | Template; readonly value: TreeNode }> };

/**
 * Compiles every string in a nested structure (e.g. `request_parameters`,
 * `request_headers`, `request_body_json`), keys included.
 *
 * @param value plain data from the manifest
 * @param path YAML path of `value`; each string's error names its own path
 */
export function interpolateDeep(value: unknown, path: string): TemplateTree {
  const root = compileTree(value, path);
  return {
    isConstant: root.k === 'constant',
    render: (context) => renderTree(root, context),
  };
}

function compileTree(value: unknown, path: string): TreeNode {
  if (typeof value === 'string') {
    const template = compileTemplate(value, path);
    return template.isConstant ? { k: 'constant', value } : { k: 'template', template };
  }
  if (Array.isArray(value)) {
    const items = value.map((item, i) => compileTree(item, childPath(path, i)));
    return items.every((item) => item.k === 'constant') ? { k: 'constant', value } : { k: 'list', items };
  }
  if (isMapping(value)) {
    let constant = true;
    const entries = Object.entries(value).map(([key, item]) => {
      const itemPath = childPath(path, key);
      const keyTemplate = compileTemplate(key, itemPath);
      const compiled = compileTree(item, itemPath);
      if (!keyTemplate.isConstant || compiled.k !== 'constant') constant = false;
      return { key: keyTemplate.isConstant ? key : keyTemplate, value: compiled };
    });
    return constant ? { k: 'constant', value } : { k: 'map', entries };
  }
  return { k: 'constant', value };
}

function renderTree(node: TreeNode, context: InterpolationContext): unknown {
  switch (node.k) {
    case 'constant':
      return node.value;
    case 'template':
      return node.template.render(context);
    case 'list':
      return node.items.map((item) => renderTree(item, context));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const { key, value } of node.entries) {
        out[typeof key === 'string' ? key : toTemplateString(key.render(context))] = renderTree(value, context);
      }
      return out;
    }
  }
}
