/**
 * `OData.Community.Display.V1.FormattedValue` strings, as the service renders them for an en-US
 * user (facts §5, accounts-formatted-values.json, contacts-multiselect-values.json): option labels
 * in the user's language, multi-select labels joined with "; ", money "$20,000.00", date-times
 * "4/7/2023 2:59 PM", lookups the target's primary name.
 *
 * [INF] The emulated user's time zone is UTC: formatted date-times show the UTC clock time (the
 * docs' sample is a user at UTC-7). The default world's organizations row does the same.
 */
import type { OptionDef, OptionSetDef } from './model';

/** `1234567` -> `1,234,567` (en-US grouping). */
function group(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** Money with the currency symbol and two decimals: `$20,000.00`, `-$5.50` [INF for negatives]. */
export function formatMoney(value: number, symbol: string): string {
  const fixed = Math.abs(value).toFixed(2);
  const dot = fixed.indexOf('.');
  return `${value < 0 ? '-' : ''}${symbol}${group(fixed.slice(0, dot))}${fixed.slice(dot)}`;
}

/** Whole numbers with en-US grouping: `9,500` [INF: that Integer columns carry formatted values]. */
export function formatInteger(value: number): string {
  return `${value < 0 ? '-' : ''}${group(String(Math.abs(Math.trunc(value))))}`;
}

/** `2023-04-07T21:59:01Z` -> `4/7/2023 9:59 PM`; undefined when the text is not such a date-time. */
export function formatDateTime(iso: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) return undefined;
  const hour = Number(m[4]);
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return `${Number(m[2])}/${Number(m[3])}/${m[1]} ${h12}:${m[5]} ${hour < 12 ? 'AM' : 'PM'}`;
}

/** `2023-04-07` -> `4/7/2023` [INF: DateOnly columns format without a time]. */
export function formatDateOnly(date: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
  return m ? `${Number(m[2])}/${Number(m[3])}/${m[1]}` : undefined;
}

/** An option's label in `language`, else its first label. */
export function optionLabel(option: OptionDef, language: number): string | undefined {
  return option.labels[language] ?? Object.values(option.labels)[0];
}

/** The label of `value` in an option set; Boolean columns without a set read Yes/No. */
export function choiceLabel(set: OptionSetDef | undefined, value: number, language: number): string | undefined {
  if (!set) return value === 1 ? 'Yes' : value === 0 ? 'No' : undefined;
  const option = set.options.find((o) => o.value === value);
  return option ? optionLabel(option, language) : undefined;
}

/** `"2,3,8,9"` -> `Hiking; Mountain Climbing; Skiing; Camping`. */
export function multiSelectLabel(set: OptionSetDef | undefined, value: string, language: number): string | undefined {
  const labels: string[] = [];
  for (const item of value.split(',')) {
    const label = choiceLabel(set, Number(item), language);
    if (label === undefined) return undefined;
    labels.push(label);
  }
  return labels.join('; ');
}
