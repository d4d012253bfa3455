/**
 * The one retry loop. Every HTTP call of the connector goes through it: Dataverse GETs, `$batch`
 * requests and the retry of their failed parts, and the token endpoint (through the MSAL network
 * module). The loop owns counting and waiting; what to do after each attempt is the pure
 * `decide` of retry-policy.ts, and the waits are abortable and leak no listeners (delay.ts).
 * With a throttle gate (throttle-gate.ts) every attempt holds a slot while it runs, and a
 * rate-limited answer pauses every request that goes through the same gate.
 */
import { pause } from './delay';
import { decide, type Attempts, type Decision, type Outcome, type RetryPolicy } from './retry-policy';
import type { RequestGate } from './throttle-gate';

/** Injected time and randomness, the stop signal, and where retry notices go. */
export interface RetryLoopDeps {
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  signal?: AbortSignal;
  log?: (level: 'INFO' | 'WARN' | 'DEBUG', message: string) => void;
  /** The process's throttle gate; absent: attempts are not limited (the token endpoint, unit tests). */
  gate?: RequestGate;
}

/** A 2xx whose body cannot be used: retried like a broken connection, then a system error. */
export class MalformedResponse extends Error {}

/** What one attempt produced: an outcome for the policy, and how to take the answer if it is accepted. */
export interface AttemptResult<T> {
  outcome: Outcome;
  /** Turns an accepted answer into the result; may throw MalformedResponse. */
  accept?: () => T;
  /** Retry at once without spending a budget (a 401 answered by a fresh token), at most once per call. */
  again?: boolean;
  /** A word for the retry notice, e.g. the Dataverse error code. */
  detail?: string;
  /** The response headers, for the gate (`x-ms-dop-hint`). */
  headers?: Pick<Headers, 'get'>;
}

/** Why the loop gave up: the last outcome and the policy's decision. */
export interface GiveUp {
  outcome: Outcome;
  decision: Extract<Decision, { action: 'fail' }>;
}

/**
 * Runs `attempt` until the policy accepts its answer or gives up; `fail` turns a give-up into the
 * error to throw. `what` names the request in notices ("GET /api/data/v9.2/accounts").
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  deps: RetryLoopDeps,
  attempt: (attemptNumber: number) => Promise<AttemptResult<T>>,
  fail: (giveUp: GiveUp) => Error,
): Promise<T> {
  const attempts: Attempts = { failures: 0, rateLimited: 0 };
  let freeRetryUsed = false;
  for (let n = 1; ; n++) {
    const result = await gatedAttempt(n, what, deps, attempt);
    if (result.again && !freeRetryUsed) {
      freeRetryUsed = true;
      continue;
    }
    let outcome = result.outcome;
    let decision = decide(outcome, attempts, policy, deps.random(), deps.now());
    if (decision.action === 'accept') {
      if (!result.accept) return undefined as T;
      try {
        return result.accept();
      } catch (err) {
        if (!(err instanceof MalformedResponse)) throw err;
        outcome = { kind: 'network', failure: 'malformed', description: err.message };
        decision = decide(outcome, attempts, policy, deps.random(), deps.now());
      }
    }
    if (decision.action === 'fail') throw fail({ outcome, decision });
    if (decision.action !== 'retry') throw new Error('unreachable: the policy accepted a failed attempt');
    attempts[decision.budget]++;
    const detail = result.detail ? ` (${result.detail})` : '';
    deps.log?.('WARN', `${what}: ${decision.reason}${detail}; retrying in ${(decision.delayMs / 1000).toFixed(1)} s`);
    // The service counts per user, not per request: its wait is every worker's wait.
    if (decision.budget === 'rateLimited' || hasRetryAfter(outcome)) deps.gate?.pauseFor(decision.delayMs);
    await pause(deps.sleep, decision.delayMs, deps.signal, `waiting to retry ${what}`);
  }
}

/** One attempt inside a gate slot, released on every path: answer, error, deadline or stop. */
async function gatedAttempt<T>(n: number, what: string, deps: RetryLoopDeps, attempt: (attemptNumber: number) => Promise<AttemptResult<T>>): Promise<AttemptResult<T>> {
  if (!deps.gate) return attempt(n);
  const slot = await deps.gate.acquire(deps.signal, what);
  try {
    const result = await attempt(n);
    slot.release({ outcome: result.outcome, headers: result.headers });
    return result;
  } finally {
    slot.release();
  }
}

function hasRetryAfter(outcome: Outcome): boolean {
  return outcome.kind === 'response' && outcome.retryAfter !== undefined && outcome.retryAfter !== null;
}
