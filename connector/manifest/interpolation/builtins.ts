/**
 * The only functions, methods, filters and tests a template can use. The parser resolves
 * names against these tables at compile time, so an unknown name never reaches rendering.
 */

import { DateTimeValue, StrftimeError, parseDateTime, strftime } from './datetime';
import { codePointLength, jinjaUrlQuote, pythonJson, queryPair } from './encoders';
import type { InterpolationContext } from './types';
import { hasOwn, isMapping, isTruthy, kindOf, toTemplateString } from './values';

/** A parameter of a built-in; without `default` it is required. */
export interface Param {
  readonly name: string;
  readonly default?: unknown;
}

/** What a built-in may need while rendering. */
export interface RenderScope {
  readonly context: InterpolationContext;
  fail(message: string): never;
}

/** A global function such as `now_utc()`. */
export interface FunctionSpec {
  readonly params: readonly Param[];
  apply(args: unknown[], scope: RenderScope): unknown;
}

/** A method called on a value, such as `.strftime()`. */
export interface MethodSpec {
  readonly params: readonly Param[];
  apply(receiver: unknown, args: unknown[], scope: RenderScope): unknown;
}

/** A filter applied with `|`, such as `| default('x')`. */
export interface FilterSpec {
  readonly params: readonly Param[];
  apply(value: unknown, args: unknown[], scope: RenderScope): unknown;
}

/** A test applied with `is`, such as `is defined`. */
export interface TestSpec {
  (value: unknown): boolean;
}

/**
 * Finds a built-in by name. Own keys only, so `constructor` and other `Object.prototype`
 * members are not mistaken for built-ins.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return hasOwn(table, name) ? table[name] : undefined;
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

/** Global functions, named and shaped as Airbyte's Jinja macros so manifests port unchanged. */
export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = {
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

/**
 * A method for one kind of receiver. A missing receiver gives undefined rather than an
 * error, like format_datetime(), so an absent optional value renders as "".
 */
function receiverMethod<T>(
  name: string,
  kind: string,
  accepts: (value: unknown) => value is T,
  params: readonly Param[],
  fn: (receiver: T, args: unknown[], scope: RenderScope) => unknown,
): MethodSpec {
  return {
    params,
    apply: (receiver, args, scope) => {
      if (receiver === undefined || receiver === null) return undefined;
      if (!accepts(receiver)) return scope.fail(`.${name}() works on ${kind}, found ${kindOf(receiver)}`);
      return fn(receiver, args, scope);
    },
  };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isDateTime = (value: unknown): value is DateTimeValue => value instanceof DateTimeValue;

function stringMethod(name: string, params: readonly Param[], fn: (text: string, args: unknown[], scope: RenderScope) => unknown): MethodSpec {
  return receiverMethod(name, 'strings', isString, params, fn);
}

function dateTimeMethod(name: string, params: readonly Param[], fn: (dt: DateTimeValue, args: unknown[], scope: RenderScope) => unknown): MethodSpec {
  return receiverMethod(name, 'datetimes', isDateTime, params, fn);
}

function stringArgument(scope: RenderScope, method: string, value: unknown): string {
  return typeof value === 'string' ? value : scope.fail(`.${method}() expects a string argument, found ${kindOf(value)}`);
}

/** The Python str, dict and datetime methods that Airbyte manifests call on values. */
export const METHODS: Readonly<Record<string, MethodSpec>> = {
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
  strftime: dateTimeMethod('strftime', [{ name: 'format' }], (dt, [format], scope) => formatWith(scope, dt, format, '.strftime()')),
  isoformat: dateTimeMethod('isoformat', [], (dt) => dt.isoFormat()),
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

/** Filters (`value | name(...)`): a subset of Jinja's, with Jinja's parameter names so keyword arguments work. */
export const FILTERS: Readonly<Record<string, FilterSpec>> = {
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
        return Object.entries(value).map(([k, v]) => queryPair(k, v)).join('&');
      }
      if (Array.isArray(value)) {
        return value
          .map((pair) => {
            if (!Array.isArray(pair) || pair.length !== 2) return scope.fail('urlencode expects a list of [key, value] pairs');
            return queryPair(pair[0], pair[1]);
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

/** Tests (`value is name`, `value is not name`): a subset of Jinja's. */
export const TESTS: Readonly<Record<string, TestSpec>> = {
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
