import { backoffMs, decide, DEFAULT_RETRY_POLICY, parseRetryAfter, type Attempts, type Decision, type Outcome } from '../../connector/http/retry-policy';

const NOW = Date.parse('2026-11-27T10:00:00Z');
const fresh: Attempts = { failures: 0, rateLimited: 0 };
const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1000, maxDelayMs: 8000, maxRetries: 3, maxRateLimitRetries: 2, maxRetryAfterMs: 60_000 };

const cases: Array<[string, Outcome, Attempts, Decision]> = [
  ['200 is accepted', { kind: 'response', status: 200 }, fresh, { action: 'accept' }],
  ['429 waits Retry-After seconds exactly', { kind: 'response', status: 429, retryAfter: '7' }, fresh, { action: 'retry', delayMs: 7000, reason: 'HTTP 429, Retry-After 7 s' }],
  ['429 with an HTTP-date Retry-After', { kind: 'response', status: 429, retryAfter: 'Fri, 27 Nov 2026 10:00:30 GMT' }, fresh, { action: 'retry', delayMs: 30000, reason: 'HTTP 429, Retry-After 30 s' }],
  ['429 over the cap fails as transient', { kind: 'response', status: 429, retryAfter: '61' }, fresh, { action: 'fail', transient: true, reason: 'rate limited (HTTP 429) with Retry-After 61 s, more than the 60 s the connector waits' }],
  ['429 without Retry-After backs off', { kind: 'response', status: 429 }, fresh, { action: 'retry', delayMs: 1000, reason: 'HTTP 429 without Retry-After' }],
  ['429 after its budget fails', { kind: 'response', status: 429, retryAfter: '1' }, { failures: 0, rateLimited: 2 }, { action: 'fail', transient: true, reason: 'still rate limited (HTTP 429) after 2 waits' }],
  ['503 backs off from the base', { kind: 'response', status: 503 }, fresh, { action: 'retry', delayMs: 1000, reason: 'HTTP 503' }],
  ['502 third retry doubles twice', { kind: 'response', status: 502 }, { failures: 2, rateLimited: 0 }, { action: 'retry', delayMs: 4000, reason: 'HTTP 502' }],
  ['500 after the budget fails transient', { kind: 'response', status: 500 }, { failures: 3, rateLimited: 0 }, { action: 'fail', transient: true, reason: 'HTTP 500, still failing after 3 retries' }],
  ['403 fails at once, not transient', { kind: 'response', status: 403 }, fresh, { action: 'fail', transient: false, reason: 'HTTP 403' }],
  ['400 fails at once', { kind: 'response', status: 400 }, fresh, { action: 'fail', transient: false, reason: 'HTTP 400' }],
  ['reset is retried', { kind: 'network', description: 'connection reset (ECONNRESET)' }, fresh, { action: 'retry', delayMs: 1000, reason: 'connection reset (ECONNRESET)' }],
  ['timeout is retried', { kind: 'timeout', afterMs: 5000 }, { failures: 1, rateLimited: 0 }, { action: 'retry', delayMs: 2000, reason: 'no response within 5 s' }],
  ['429 waits do not spend the failure budget', { kind: 'response', status: 503 }, { failures: 0, rateLimited: 2 }, { action: 'retry', delayMs: 1000, reason: 'HTTP 503' }],
];

describe('decide', () => {
  test.each(cases)('%s', (_name, outcome, attempts, expected) => {
    // random = 1 puts the jitter at the top of its range, so delays are exact.
    expect(decide(outcome, attempts, policy, 0.999999999, NOW)).toEqual(expected);
  });
});

describe('backoffMs', () => {
  test('jitter stays within half to all of the step, capped at maxDelayMs', () => {
    expect(backoffMs(1, policy, 0)).toBe(500);
    expect(backoffMs(3, policy, 0)).toBe(2000);
    expect(backoffMs(10, policy, 0.999999)).toBe(8000);
  });
});

describe('parseRetryAfter', () => {
  test.each([
    ['seconds', '12', 12000],
    ['fractional seconds', '0.5', 500],
    ['date in the past is zero', 'Fri, 27 Nov 2026 09:00:00 GMT', 0],
    ['garbage', 'soon', undefined],
    ['absent', null, undefined],
  ] as const)('%s', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
