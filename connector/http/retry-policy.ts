/**
 * The failure policy: a pure function of (what one attempt ended in, the retries spent so far) ->
 * one resolution: accept, retry after a delay, or fail with a failure type. It is built from the
 * manifest's DefaultErrorHandler (response filters evaluated in order, first match wins, as
 * Airbyte's CDK does) and serves every HTTP call: Dataverse GETs, `$batch` and its parts, and the
 * token endpoint. No clock, no sleep, no I/O here, so every branch is a table-driven unit test.
 */
import type { NetworkFailure } from './network-errors';

/** What a response filter does with the responses it matches (Airbyte's ResponseAction). */
export type FilterAction = 'SUCCESS' | 'RETRY' | 'RATE_LIMITED' | 'FAIL';

/** Airbyte's failure types, as a filter may declare them. */
export type FilterFailureType = 'config_error' | 'system_error' | 'transient_error';

/** One HttpResponseFilter: matches by status and/or error text; the first filter that matches decides. */
export interface ResponseFilter {
  action: FilterAction;
  /** Statuses it matches; absent: any status. */
  httpCodes?: ReadonlySet<number>;
  /** Matches only when the response body contains this text. */
  errorMessageContains?: string;
  /** The failure type of a FAIL (default: from the status). */
  failureType?: FilterFailureType;
}

/** Tunables of the policy; `DEFAULT_RETRY_POLICY` is what the manifest's error handler starts from. */
export interface RetryPolicy {
  /** Filters in manifest order; statuses no filter matches get the defaults of `defaultAction`. */
  filters: readonly ResponseFilter[];
  /** Retries after a RETRY answer, a reset or a timeout. */
  maxRetries: number;
  /** Retries after a RATE_LIMITED answer (waiting is cheap compared with failing a sync). */
  maxRateLimitRetries: number;
  /** A Retry-After above this fails the request instead of sleeping that long. */
  maxRetryAfterMs: number;
  /** First backoff for failures, doubled each attempt up to `maxDelayMs`; also the least backoff. */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * The least wait after a rate-limited answer or any Retry-After, whatever the header says: a
   * `Retry-After: 0` must not turn into a burst of requests against a service that is shedding load.
   */
  minWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  filters: [
    { action: 'RATE_LIMITED', httpCodes: new Set([429]) },
    { action: 'RETRY', httpCodes: new Set([500, 502, 503, 504]) },
  ],
  maxRetries: 5,
  maxRateLimitRetries: 10,
  maxRetryAfterMs: 300_000,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  minWaitMs: 1_000,
};

/** What one attempt ended in. */
export type Outcome =
  | { kind: 'response'; status: number; retryAfter?: string | null; bodyText?: string }
  | {
      kind: 'network';
      description: string;
      /** How the connection failed, when it is known (network-errors.ts). */
      failure?: NetworkFailure;
      /** The host answered earlier in this run: a refused connection now is an outage, not a wrong URL. */
      hostAnsweredBefore?: boolean;
    }
  | { kind: 'timeout'; afterMs: number };

export type Decision =
  | { action: 'accept' }
  | { action: 'retry'; delayMs: number; reason: string; budget: 'failures' | 'rateLimited' }
  | {
      action: 'fail';
      reason: string;
      /** The failure may pass by itself (throttling, outage): Airbyte's transient_error. */
      transient: boolean;
      /** A FAIL filter's declared failure type, when it declared one. */
      failureType?: FilterFailureType;
      /** The host cannot be reached or is not trusted, on first contact: the customer's URL or network is at fault. */
      hostFailure?: boolean;
    };

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
  if (!/[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Exponential backoff with jitter in [50%, 100%] of the step, never below the base step's half. */
export function backoffMs(retryNumber: number, policy: RetryPolicy, random: number): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.max(1, Math.round(step * (0.5 + random / 2)));
}

/** The action for a status: the first matching filter's, else Airbyte's defaults. */
export function actionFor(status: number, bodyText: string, filters: readonly ResponseFilter[]): { action: FilterAction; failureType?: FilterFailureType } {
  for (const filter of filters) {
    if (filter.httpCodes && !filter.httpCodes.has(status)) continue;
    if (filter.errorMessageContains !== undefined && !bodyText.includes(filter.errorMessageContains)) continue;
    return { action: filter.action, failureType: filter.failureType };
  }
  return { action: defaultAction(status) };
}

/** What Airbyte's DefaultErrorHandler does with a status no filter matched. */
export function defaultAction(status: number): FilterAction {
  if (status >= 200 && status < 300) return 'SUCCESS';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'RETRY';
  return 'FAIL';
}

/**
 * Decides what follows an attempt. `attempts` counts the retries already made per budget;
 * `random` in [0, 1) and `nowMs` are passed in so the function stays pure.
 */
export function decide(outcome: Outcome, attempts: Attempts, policy: RetryPolicy, random: number, nowMs: number): Decision {
  if (outcome.kind === 'response') {
    const { status } = outcome;
    const { action, failureType } = actionFor(status, outcome.bodyText ?? '', policy.filters);
    switch (action) {
      case 'SUCCESS':
        return { action: 'accept' };
      case 'FAIL':
        return { action: 'fail', transient: failureType === 'transient_error', reason: `HTTP ${status}`, failureType };
      case 'RATE_LIMITED':
        return rateLimited(outcome, attempts, policy, random, nowMs);
      case 'RETRY': {
        // A 503 may say when to come back; honour it as a 429's, within the same cap.
        const wait = parseRetryAfter(outcome.retryAfter, nowMs);
        if (wait === undefined) return retryOrFail(`HTTP ${status}`, attempts, policy, random);
        if (attempts.failures >= policy.maxRetries) return exhausted(`HTTP ${status}`, attempts);
        return waitFor(`HTTP ${status}`, wait, policy, 'failures');
      }
    }
  }
  if (outcome.kind === 'timeout') return retryOrFail(`no complete response within ${outcome.afterMs / 1000} s`, attempts, policy, random);
  const failure = outcome.failure;
  if ((failure === 'refused' || failure === 'dns' || failure === 'tls') && !outcome.hostAnsweredBefore) {
    return { action: 'fail', transient: false, reason: outcome.description, hostFailure: true };
  }
  // TLS and name failures after the host answered are as likely an outage (a DNS blip, a proxy
  // restarting) as a reset; a certificate that changed mid-run still fails once the retries are spent.
  return retryOrFail(outcome.description, attempts, policy, random);
}

function rateLimited(outcome: { status: number; retryAfter?: string | null }, attempts: Attempts, policy: RetryPolicy, random: number, nowMs: number): Decision {
  const { status } = outcome;
  if (attempts.rateLimited >= policy.maxRateLimitRetries) {
    return { action: 'fail', transient: true, reason: `still rate limited (HTTP ${status}) after ${attempts.rateLimited} waits` };
  }
  const wait = parseRetryAfter(outcome.retryAfter, nowMs);
  if (wait === undefined) {
    const delayMs = Math.max(policy.minWaitMs, backoffMs(attempts.rateLimited + 1, policy, random));
    return { action: 'retry', delayMs, reason: `HTTP ${status} without Retry-After`, budget: 'rateLimited' };
  }
  return waitFor(`HTTP ${status}`, wait, policy, 'rateLimited');
}

/** A wait the service asked for: at least `minWaitMs`, and failing when longer than the cap. */
function waitFor(what: string, wait: number, policy: RetryPolicy, budget: 'failures' | 'rateLimited'): Decision {
  if (wait > policy.maxRetryAfterMs) {
    return {
      action: 'fail',
      transient: true,
      reason: `rate limited (${what}) with Retry-After ${wait / 1000} s, more than the ${policy.maxRetryAfterMs / 1000} s the connector waits`,
    };
  }
  return { action: 'retry', delayMs: Math.max(wait, policy.minWaitMs), reason: `${what}, Retry-After ${wait / 1000} s`, budget };
}

function retryOrFail(what: string, attempts: Attempts, policy: RetryPolicy, random: number): Decision {
  if (attempts.failures >= policy.maxRetries) return exhausted(what, attempts);
  return { action: 'retry', delayMs: backoffMs(attempts.failures + 1, policy, random), reason: what, budget: 'failures' };
}

function exhausted(what: string, attempts: Attempts): Decision {
  return { action: 'fail', transient: true, reason: `${what}, still failing after ${attempts.failures} retries` };
}
