/**
 * The retry policy: a pure function of (what happened, how many attempts so far) -> what to do.
 * No clock, no sleep, no I/O here, so every branch is a table-driven unit test.
 */

/** Tunables of the policy; `DEFAULT_RETRY_POLICY` is what the manifest's error handler starts from. */
export interface RetryPolicy {
  /** Retries after a 5xx, a reset or a timeout. */
  maxRetries: number;
  /** Retries after a 429 (Dataverse asks us to wait; waiting is cheap compared with failing a sync). */
  maxRateLimitRetries: number;
  /** A Retry-After above this fails the request instead of sleeping that long. */
  maxRetryAfterMs: number;
  /** First backoff for 5xx/network failures, doubled each attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Statuses retried with backoff. */
  retryStatuses: ReadonlySet<number>;
  /** Statuses that mean "rate limited": wait Retry-After. */
  rateLimitStatuses: ReadonlySet<number>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 5,
  maxRateLimitRetries: 10,
  maxRetryAfterMs: 300_000,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  retryStatuses: new Set([500, 502, 503, 504]),
  rateLimitStatuses: new Set([429]),
};

/** What one attempt ended in. */
export type Outcome =
  | { kind: 'response'; status: number; retryAfter?: string | null }
  | { kind: 'network'; description: string }
  | { kind: 'timeout'; afterMs: number };

export type Decision =
  | { action: 'accept' }
  | { action: 'retry'; delayMs: number; reason: string }
  | { action: 'fail'; reason: string; transient: boolean };

/** Counts of retries already spent, per budget. */
export interface Attempts {
  failures: number;
  rateLimited: number;
}

/**
 * Parses Retry-After: delta-seconds or an HTTP-date (relative to `nowMs`). Returns undefined when
 * absent or unparsable, so the caller falls back to backoff rather than guessing.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential backoff with jitter in [50%, 100%] of the step, so parallel clients spread out. */
export function backoffMs(retryNumber: number, policy: RetryPolicy, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(step * (0.5 + random / 2));
}

/**
 * Decides what follows an attempt. `attempts` counts the retries already made per budget;
 * `random` in [0, 1) and `nowMs` are passed in so the function stays pure.
 */
export function decide(outcome: Outcome, attempts: Attempts, policy: RetryPolicy, random: number, nowMs: number): Decision {
  if (outcome.kind === 'response') {
    const { status } = outcome;
    if (policy.rateLimitStatuses.has(status)) {
      if (attempts.rateLimited >= policy.maxRateLimitRetries) {
        return { action: 'fail', transient: true, reason: `still rate limited (HTTP ${status}) after ${attempts.rateLimited} waits` };
      }
      const wait = parseRetryAfter(outcome.retryAfter, nowMs);
      if (wait === undefined) {
        return { action: 'retry', delayMs: backoffMs(attempts.rateLimited + 1, policy, random), reason: `HTTP ${status} without Retry-After` };
      }
      if (wait > policy.maxRetryAfterMs) {
        return {
          action: 'fail',
          transient: true,
          reason: `rate limited (HTTP ${status}) with Retry-After ${wait / 1000} s, more than the ${policy.maxRetryAfterMs / 1000} s the connector waits`,
        };
      }
      return { action: 'retry', delayMs: wait, reason: `HTTP ${status}, Retry-After ${wait / 1000} s` };
    }
    if (policy.retryStatuses.has(status)) return retryOrFail(`HTTP ${status}`, attempts, policy, random);
    if (status >= 200 && status < 400) return { action: 'accept' };
    return { action: 'fail', transient: false, reason: `HTTP ${status}` };
  }
  const what = outcome.kind === 'timeout' ? `no response within ${outcome.afterMs / 1000} s` : outcome.description;
  return retryOrFail(what, attempts, policy, random);
}

function retryOrFail(what: string, attempts: Attempts, policy: RetryPolicy, random: number): Decision {
  if (attempts.failures >= policy.maxRetries) {
    return { action: 'fail', transient: true, reason: `${what}, still failing after ${attempts.failures} retries` };
  }
  return { action: 'retry', delayMs: backoffMs(attempts.failures + 1, policy, random), reason: what };
}
