import { actionFor, backoffMs, decide, DEFAULT_RETRY_POLICY, parseRetryAfter, type Attempts, type Decision, type Outcome, type RetryPolicy } from '../../connector/http/retry-policy';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const fresh: Attempts = { failures: 0, rateLimited: 0 };
const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1000, maxDelayMs: 8000, maxRetries: 3, maxRateLimitRetries: 2, maxRetryAfterMs: 60_000 };
const retry = (delayMs: number, reason: string, budget: 'failures' | 'rateLimited' = 'failures'): Decision => ({ action: 'retry', delayMs, reason, budget });

const cases: Array<[string, Outcome, Attempts, Decision]> = [
  ['200 is accepted', { kind: 'response', status: 200 }, fresh, { action: 'accept' }],
  ['a redirect is not followed: it fails', { kind: 'response', status: 302 }, fresh, { action: 'fail', transient: false, reason: 'HTTP 302', failureType: undefined }],
  ['429 waits Retry-After seconds exactly', { kind: 'response', status: 429, retryAfter: '7' }, fresh, retry(7000, 'HTTP 429, Retry-After 7 s', 'rateLimited')],
  ['429 with an HTTP-date Retry-After', { kind: 'response', status: 429, retryAfter: 'Fri, 27 Nov 2026 10:00:30 GMT' }, fresh, retry(30000, 'HTTP 429, Retry-After 30 s', 'rateLimited')],
  ['429 with Retry-After 0 still waits the floor', { kind: 'response', status: 429, retryAfter: '0' }, fresh, retry(1000, 'HTTP 429, Retry-After 0 s', 'rateLimited')],
  ['429 over the cap fails as transient', { kind: 'response', status: 429, retryAfter: '61' }, fresh, { action: 'fail', transient: true, reason: 'rate limited (HTTP 429) with Retry-After 61 s, more than the 60 s the connector waits' }],
  ['429 without Retry-After backs off, at least the floor', { kind: 'response', status: 429 }, fresh, retry(1000, 'HTTP 429 without Retry-After', 'rateLimited')],
  ['429 with a garbage Retry-After backs off', { kind: 'response', status: 429, retryAfter: 'soon' }, fresh, retry(1000, 'HTTP 429 without Retry-After', 'rateLimited')],
  ['429 after its budget fails', { kind: 'response', status: 429, retryAfter: '1' }, { failures: 0, rateLimited: 2 }, { action: 'fail', transient: true, reason: 'still rate limited (HTTP 429) after 2 waits' }],
  ['503 backs off from the base', { kind: 'response', status: 503 }, fresh, retry(1000, 'HTTP 503')],
  ['503 with Retry-After waits it', { kind: 'response', status: 503, retryAfter: '4' }, fresh, retry(4000, 'HTTP 503, Retry-After 4 s')],
  ['503 with Retry-After 0 waits the floor', { kind: 'response', status: 503, retryAfter: '0' }, fresh, retry(1000, 'HTTP 503, Retry-After 0 s')],
  ['503 with Retry-After over the cap fails as transient', { kind: 'response', status: 503, retryAfter: '120' }, fresh, { action: 'fail', transient: true, reason: 'rate limited (HTTP 503) with Retry-After 120 s, more than the 60 s the connector waits' }],
  ['503 with Retry-After after the budget fails', { kind: 'response', status: 503, retryAfter: '1' }, { failures: 3, rateLimited: 0 }, { action: 'fail', transient: true, reason: 'HTTP 503, still failing after 3 retries' }],
  ['502 third retry doubles twice', { kind: 'response', status: 502 }, { failures: 2, rateLimited: 0 }, retry(4000, 'HTTP 502')],
  ['500 after the budget fails transient', { kind: 'response', status: 500 }, { failures: 3, rateLimited: 0 }, { action: 'fail', transient: true, reason: 'HTTP 500, still failing after 3 retries' }],
  ['507 (no filter) is retried by default', { kind: 'response', status: 507 }, fresh, retry(1000, 'HTTP 507')],
  ['403 fails at once, not transient', { kind: 'response', status: 403 }, fresh, { action: 'fail', transient: false, reason: 'HTTP 403', failureType: undefined }],
  ['400 fails at once', { kind: 'response', status: 400 }, fresh, { action: 'fail', transient: false, reason: 'HTTP 400', failureType: undefined }],
  ['reset is retried', { kind: 'network', failure: 'reset', description: 'connection reset (ECONNRESET)' }, fresh, retry(1000, 'connection reset (ECONNRESET)')],
  ['timeout is retried', { kind: 'timeout', afterMs: 5000 }, { failures: 1, rateLimited: 0 }, retry(2000, 'no complete response within 5 s')],
  ['refused on first contact fails: the URL is wrong', { kind: 'network', failure: 'refused', description: 'connection refused (ECONNREFUSED)' }, fresh, { action: 'fail', transient: false, hostFailure: true, reason: 'connection refused (ECONNREFUSED)' }],
  ['refused after the host answered is an outage: retried', { kind: 'network', failure: 'refused', description: 'connection refused (ECONNREFUSED)', hostAnsweredBefore: true }, fresh, retry(1000, 'connection refused (ECONNREFUSED)')],
  ['refused after the host answered, budget spent: transient', { kind: 'network', failure: 'refused', description: 'connection refused (ECONNREFUSED)', hostAnsweredBefore: true }, { failures: 3, rateLimited: 0 }, { action: 'fail', transient: true, reason: 'connection refused (ECONNREFUSED), still failing after 3 retries' }],
  ['DNS failure on first contact fails', { kind: 'network', failure: 'dns', description: 'host name not found (ENOTFOUND)' }, fresh, { action: 'fail', transient: false, hostFailure: true, reason: 'host name not found (ENOTFOUND)' }],
  ['a malformed body is retried', { kind: 'network', failure: 'malformed', description: 'not valid JSON' }, fresh, retry(1000, 'not valid JSON')],
  ['429 waits do not spend the failure budget', { kind: 'response', status: 503 }, { failures: 0, rateLimited: 2 }, retry(1000, 'HTTP 503')],
];

describe('decide', () => {
  test.each(cases)('%s', (_name, outcome, attempts, expected) => {
    // random = 1 puts the jitter at the top of its range, so delays are exact.
    expect(decide(outcome, attempts, policy, 0.999999999, NOW)).toEqual(expected);
  });
});

describe('response filters: in order, first match wins', () => {
  const fail500First: RetryPolicy = {
    ...policy,
    filters: [
      { action: 'FAIL', httpCodes: new Set([500]), failureType: 'system_error' },
      { action: 'RETRY', httpCodes: new Set([500, 502]) },
    ],
  };
  test('a FAIL for 500 placed before RETRY stops at the first 500', () => {
    expect(decide({ kind: 'response', status: 500 }, fresh, fail500First, 0.5, NOW)).toEqual({ action: 'fail', transient: false, reason: 'HTTP 500', failureType: 'system_error' });
    expect(decide({ kind: 'response', status: 502 }, fresh, fail500First, 0.999999999, NOW)).toEqual(retry(1000, 'HTTP 502'));
  });
  test('error_message_contains narrows a filter to bodies holding the text', () => {
    const filters = [
      { action: 'RATE_LIMITED' as const, httpCodes: new Set([400]), errorMessageContains: '0x80072321' },
      { action: 'FAIL' as const, httpCodes: new Set([400]) },
    ];
    expect(actionFor(400, '{"error":{"code":"0x80072321"}}', filters)).toEqual({ action: 'RATE_LIMITED', failureType: undefined });
    expect(actionFor(400, '{"error":{"code":"0x0"}}', filters)).toEqual({ action: 'FAIL', failureType: undefined });
  });
  test('a FAIL may declare its failure type, transient included', () => {
    const filters = [{ action: 'FAIL' as const, httpCodes: new Set([409]), failureType: 'transient_error' as const }];
    expect(decide({ kind: 'response', status: 409 }, fresh, { ...policy, filters }, 0.5, NOW)).toEqual({ action: 'fail', transient: true, reason: 'HTTP 409', failureType: 'transient_error' });
  });
  test('no filter matches: Airbyte defaults (2xx success, 429 rate limited, 5xx retry, else fail)', () => {
    expect([200, 204, 301, 404, 429, 500, 599].map((s) => actionFor(s, '', []).action)).toEqual(['SUCCESS', 'SUCCESS', 'FAIL', 'FAIL', 'RATE_LIMITED', 'RETRY', 'RETRY']);
  });
});

describe('backoffMs', () => {
  test('jitter stays within half to all of the step, capped at maxDelayMs', () => {
    expect(backoffMs(1, policy, 0)).toBe(500);
    expect(backoffMs(3, policy, 0)).toBe(2000);
    expect(backoffMs(10, policy, 0.999999)).toBe(8000);
  });
  test('never zero, even with a zero base', () => {
    expect(backoffMs(1, { ...policy, baseDelayMs: 0 }, 0)).toBe(1);
  });
});

describe('parseRetryAfter', () => {
  test.each([
    ['seconds', '12', 12000],
    ['fractional seconds', '0.5', 500],
    ['zero', '0', 0],
    ['date in the past is zero', 'Fri, 27 Nov 2026 09:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['a negative number', '-5', undefined],
    ['a bare number with junk is not a date', '12abc', undefined],
    ['absent', null, undefined],
  ] as const)('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
