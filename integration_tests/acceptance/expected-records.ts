/**
 * integration_tests/expected_records.jsonl: Airbyte's expected-records file (one
 * `{"stream", "data", "emitted_at"}` per line) for the acceptance world (cat-world.ts).
 *
 * The emulator is seeded, so ids and values are stable; its ports are not. The one port-dependent
 * value a record carries (organization.web_application_url, the org's URL) is normalised: every
 * occurrence of the emulator's org URL in a string value is written as ORG_URL_PLACEHOLDER, in the
 * file and in the records compared with it. emitted_at is ignored in comparisons and written as
 * EXPECTED_EMITTED_AT (the emulator's clock) so the file is byte-stable.
 *
 * Regenerate: `UPDATE_EXPECTED=1 NODE_EXTRA_CA_CERTS=integration_tests/emulator/certs/ca.pem npx jest integration_tests/acceptance/cat.test.ts`
 * (after `npx tsc -p tsconfig.json`); without it, a stale file fails the basic_read test.
 */
import { DEFAULT_CLOCK_START } from '../emulator';

export const ORG_URL_PLACEHOLDER = '{org_url}';
export const EXPECTED_EMITTED_AT = Date.parse(DEFAULT_CLOCK_START);

export interface ExpectedRecord {
  stream: string;
  data: Record<string, unknown>;
}

/** A deep copy where every string containing orgUrl has it replaced by the placeholder. */
export function normalise<T>(value: T, orgUrl: string): T {
  if (typeof value === 'string') return value.split(orgUrl).join(ORG_URL_PLACEHOLDER) as T;
  if (Array.isArray(value)) return value.map((v) => normalise(v, orgUrl)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, orgUrl)])) as T;
  return value;
}

/** JSON with object keys sorted at every level: equal records give equal strings whatever their key order. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const keyOf = (r: ExpectedRecord) => `${r.stream}\u0000${canonical(r.data)}`;

/** The file's text for these records: one line each, sorted, emitted_at fixed. */
export function serialise(records: ExpectedRecord[]): string {
  return records
    .map((r) => ({ key: keyOf(r), line: JSON.stringify({ stream: r.stream, data: r.data, emitted_at: EXPECTED_EMITTED_AT }) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => `${x.line}\n`)
    .join('');
}

/** Parses the file (throws naming the line on a malformed one). */
export function parseExpected(text: string): ExpectedRecord[] {
  return text
    .split('\n')
    .map((line, k) => [line, k + 1] as const)
    .filter(([line]) => line.trim().length > 0)
    .map(([line, n]) => {
      const r = JSON.parse(line) as Record<string, unknown>;
      if (typeof r.stream !== 'string' || !r.data || typeof r.data !== 'object' || !Number.isInteger(r.emitted_at)) {
        throw new Error(`expected_records.jsonl line ${n}: needs stream, data and an integer emitted_at`);
      }
      return { stream: r.stream, data: r.data as Record<string, unknown> };
    });
}

/** The expected records not found (stream and whole data, key order aside) among the actual ones. */
export function missing(expected: ExpectedRecord[], actual: ExpectedRecord[]): ExpectedRecord[] {
  const have = new Set(actual.map(keyOf));
  return expected.filter((r) => !have.has(keyOf(r)));
}
