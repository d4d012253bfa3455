/**
 * Python-compatible dates for templates: the datetime value, `strftime` and ISO 8601
 * parsing. Apart from the rest of the engine because it is pure calendar arithmetic.
 */

/**
 * A Python-like datetime (or date, when `dateOnly`) as returned by `now_utc()`,
 * `today_utc()` and `str_to_datetime()`. Kept apart from `Date` because Python keeps
 * microseconds and the UTC offset, and both show up in `str()` and `strftime()`.
 */
export class DateTimeValue {
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

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function offsetText(offsetMinutes: number, separator: string): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}

const MONTH_ABBREVIATIONS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAY_ABBREVIATIONS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** An unsupported `strftime` format; callers turn it into a ManifestError naming the template. */
export class StrftimeError extends Error {}

/**
 * Python `strftime` for the directives connectors use: %Y %y %m %d %H %M %S %f %z %Z %s
 * %j %b %a %%. `%s` is the Unix timestamp, as Airbyte's `format_datetime` special-cases it.
 */
export function strftime(dt: DateTimeValue, format: string): string {
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
export function parseDateTime(value: string | number): DateTimeValue | undefined {
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
