/**
 * JSON.parse that keeps every digit of numbers a double cannot hold. Dataverse sends Int64
 * (BigInt, up to 2^63-1) and Decimal/Money (up to 10 decimals) as JSON numbers (facts §9
 * "Numbers"); JSON.parse rounds them past 15-17 significant digits (9007199254740993 becomes
 * 9007199254740992). Such a number is kept as `JSON.rawJSON(source)`, which JSON.stringify writes
 * back unchanged, so the RECORD line carries the digits Dataverse sent.
 *
 * The reviver that sees each number's source text (Node 22+) costs a call per value, so it runs
 * only when a cheap scan of the text finds a run of 16 or more digits: the only place a number
 * that cannot round-trip can hide. Anything else (GUIDs, dates, short numbers) takes the plain
 * JSON.parse. The scan reads one character in 16 (a regex over a 3 MB page costs twice as much as
 * parsing it; this costs about half), and a response's body is scanned as bytes while it arrives
 * (LongDigitScan), not as text.
 */
import { MalformedResponse } from './retry-loop';

/** A JSON.rawJSON value: JSON.stringify writes its text as it is. */
export type RawJson = { readonly rawJSON: string };

interface JsonWithRaw {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): boolean;
}

const NATIVE = JSON as unknown as Partial<JsonWithRaw>;

/**
 * Sixteen digits with at most one dot among them (`9007199254740993`, `12345678901.1234567891`):
 * a numeric literal with fewer than 16 significant digits always round-trips through a double.
 */
const LONG_DIGITS = /\d(?:\.?\d){15}/;

const isDigitOrDot = (c: number) => (c >= 48 && c <= 57) || c === 46;

/**
 * Whether `text` holds {@link LONG_DIGITS}. A run of 16 or more digits and dots covers one of
 * every 16th position, so only those are read, and only runs through them are looked at.
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let i = 15; i < n; i += 16) {
    if (!isDigitOrDot(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigitOrDot(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < n && isDigitOrDot(text.charCodeAt(end))) end++;
    if (end - start >= 16 && LONG_DIGITS.test(text.slice(start, end))) return true;
    i = Math.max(i, end - 16);
  }
  return false;
}

/** Longest run kept across pieces: more than the 31 characters a {@link LONG_DIGITS} match spans. */
const CARRY_CHARS = 64;

const isDigitOrDotByte = (b: number) => (b >= 48 && b <= 57) || b === 46;

/** Bytes (digits and dots, or any ASCII) as text. */
function ascii(bytes: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/**
 * {@link hasLongDigitRun} over a body's UTF-8 bytes, fed piece by piece as they arrive
 * (http/body-text.ts), so the text is never walked for it. Digits and dots are one byte each in
 * UTF-8 and no byte of a multi-byte character is one, so the runs are the text's runs. Reading
 * bytes costs a fraction of reading the decoded text, a rope of pieces that the string scan
 * walked at 9 ms a 4.5 MB page (12% of a read's CPU). A run cut by a piece boundary is joined
 * from the previous piece's trailing run and this piece's leading one.
 */
export class LongDigitScan {
  found = false;
  private carry = '';

  feed(bytes: Uint8Array): void {
    if (this.found) return;
    const n = bytes.length;
    let lead = 0;
    while (lead < n && isDigitOrDotByte(bytes[lead])) lead++;
    if (lead === n) {
      const joined = this.carry + ascii(bytes, 0, n);
      if (joined.length >= 16 && LONG_DIGITS.test(joined)) this.found = true;
      this.carry = joined.slice(-CARRY_CHARS);
      return;
    }
    if (this.carry !== '' && lead > 0) {
      const joined = this.carry + ascii(bytes, 0, lead);
      if (joined.length >= 16 && LONG_DIGITS.test(joined)) {
        this.found = true;
        return;
      }
    }
    for (let i = 15; i < n; i += 16) {
      if (!isDigitOrDotByte(bytes[i])) continue;
      let start = i;
      while (start > 0 && isDigitOrDotByte(bytes[start - 1])) start--;
      let end = i + 1;
      while (end < n && isDigitOrDotByte(bytes[end])) end++;
      if (end - start >= 16 && LONG_DIGITS.test(ascii(bytes, start, end))) {
        this.found = true;
        return;
      }
      i = Math.max(i, end - 16);
    }
    let tail = n;
    while (tail > 0 && isDigitOrDotByte(bytes[tail - 1])) tail--;
    this.carry = ascii(bytes, Math.max(tail, n - CARRY_CHARS), n);
  }
}

/** True when the runtime can write raw JSON (Node 22+); otherwise numbers are parsed as doubles. */
export const EXACT_NUMBERS_SUPPORTED = typeof NATIVE.rawJSON === 'function';

/** Whether `value` is a number kept as its source text. */
export function isRawJson(value: unknown): value is RawJson {
  return EXACT_NUMBERS_SUPPORTED && (NATIVE.isRawJSON as (v: unknown) => boolean)(value);
}

/**
 * A decimal literal's value as `sign digits e exponent`, without leading or trailing zeros, so
 * that `20000.0000` and `20000` (the same number) compare equal and `9007199254740993` and
 * `9007199254740992` do not.
 */
export function canonicalDecimal(literal: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return literal;
  const [, sign, whole, fraction = '', exponent = '0'] = m;
  let digits = whole + fraction;
  let exp = Number(exponent) + whole.length;
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead);
  exp -= lead;
  digits = digits.replace(/0+$/, '');
  if (digits === '') return '0';
  return `${sign}${digits}e${exp}`;
}

/** The reviver's third argument (Node 22+: the source text of primitive values). */
interface ReviverContext {
  source?: string;
}

function keepDigits(this: unknown, _key: string, value: unknown, context?: ReviverContext): unknown {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  const source = context.source;
  if (!LONG_DIGITS.test(source)) return value;
  return canonicalDecimal(source) === canonicalDecimal(String(value)) ? value : (NATIVE.rawJSON as (t: string) => RawJson)(source);
}

/**
 * Parses JSON text like JSON.parse, except that numbers a double would round come back as raw
 * JSON values holding their exact source text. Throws what JSON.parse throws. `longDigits` is
 * what a {@link LongDigitScan} of the text's bytes found; absent, the text is scanned.
 */
export function parseExactJson(text: string, longDigits?: boolean): unknown {
  if (!EXACT_NUMBERS_SUPPORTED || !(longDigits ?? hasLongDigitRun(text))) return JSON.parse(text);
  return JSON.parse(text, keepDigits as (this: unknown, key: string, value: unknown) => unknown);
}

/**
 * A response body as JSON (an empty body is `{}`); text that is not JSON is a MalformedResponse
 * naming `path`. `longDigits` as for {@link parseExactJson}.
 */
export function parseJsonBody(text: string, path: string, longDigits?: boolean): unknown {
  if (text === '') return {};
  try {
    return parseExactJson(text, longDigits);
  } catch {
    throw new MalformedResponse(`the response to ${path} was not valid JSON (${text.length} bytes)`);
  }
}
