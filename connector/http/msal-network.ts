/**
 * MSAL's network calls through our injected fetch and the shared retry loop. Three reasons: tests
 * and the emulator see the same client as every other request; a 5xx, 429, reset or timeout of the
 * token endpoint is retried by the one failure policy (Retry-After honoured, abortable waits)
 * before MSAL sees the final answer; and the last answer and network failure stay visible, which
 * MSAL's own errors hide (the AADSTS body of a failed openid-configuration GET, the TLS code of a
 * failed connection).
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { ConnectorError } from '../errors';
import { withDeadline } from './deadline';
import { classifyNetworkError, type ClassifiedFailure } from './network-errors';
import { withRetries, type GiveUp, type RetryLoopDeps } from './retry-loop';
import { requestLine } from './request-line';
import { DEFAULT_RETRY_POLICY, type Outcome, type RetryPolicy } from './retry-policy';

export interface LastExchange {
  url: string;
  status: number;
  retryAfter: string | null;
  bodyText: string;
}

/**
 * What the module needs besides fetch: the loop's deps, the policy and the per-attempt deadline.
 * No throttle gate, on purpose: Entra ID's limits are its own (per app and tenant), not
 * Dataverse's 52 concurrent requests or execution time per user, so a Dataverse 429 must not hold
 * back a token request; and a Dataverse request waits for its token while holding a gate slot,
 * so a token request that needed a slot too could wait for itself when the limit is 1.
 */
export interface NetworkModuleOptions extends Omit<RetryLoopDeps, 'gate'> {
  fetch: typeof fetch;
  timeoutMs: number;
  policy?: RetryPolicy;
  /** Origins that answered in this run (shared with the requester). */
  reachedHosts?: Set<string>;
}

/** The final answer the loop gave up on: handed to MSAL as is, so it reports the service's error. */
class FinalAnswer extends Error {
  constructor(readonly response: NetworkResponse<unknown>) {
    super('final answer');
  }
}

export class FetchNetworkModule implements INetworkModule {
  lastExchange?: LastExchange;
  lastFailure?: unknown;
  /** The classified network failure and whether the policy called it a host failure (first contact). */
  lastGiveUp?: { failure: ClassifiedFailure; hostFailure: boolean };
  private readonly reached: Set<string>;

  constructor(private readonly options: NetworkModuleOptions) {
    this.reached = options.reachedHosts ?? new Set();
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    this.lastExchange = undefined;
    this.lastFailure = undefined;
    this.lastGiveUp = undefined;
    const origin = new URL(url).origin;
    const what = `${method} ${new URL(url).pathname}`;
    const deadlineMs = Math.min(timeout ?? this.options.timeoutMs, this.options.timeoutMs);
    let failure: ClassifiedFailure | undefined;
    try {
      return await withRetries<NetworkResponse<T>>(
        what,
        this.options.policy ?? DEFAULT_RETRY_POLICY,
        this.options,
        async (attempt) => {
          let answer: { response: Response; bodyText: string };
          const started = this.options.now();
          try {
            answer = await withDeadline(deadlineMs, this.options.signal, what, async (signal) => {
              const response = await this.options.fetch(url, { method, headers: options?.headers, body: options?.body, signal, redirect: 'manual' });
              return { response, bodyText: await response.text() };
            });
          } catch (err) {
            if (err instanceof ConnectorError) throw err;
            this.lastFailure = err;
            failure = classifyNetworkError(err);
            this.options.log?.('DEBUG', requestLine(what, failure.kind, this.options.now() - started, attempt));
            const outcome: Outcome =
              failure.kind === 'timeout'
                ? { kind: 'timeout', afterMs: deadlineMs }
                : { kind: 'network', failure: failure.kind, description: failure.description, hostAnsweredBefore: this.reached.has(origin) };
            return { outcome };
          }
          this.reached.add(origin);
          this.lastFailure = undefined;
          const { response, bodyText } = answer;
          this.options.log?.('DEBUG', requestLine(what, response.status, this.options.now() - started, attempt));
          this.lastExchange = { url, status: response.status, retryAfter: response.headers.get('retry-after'), bodyText };
          const networkResponse = toNetworkResponse<T>(response, bodyText);
          return { outcome: { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after'), bodyText }, accept: () => networkResponse };
        },
        (giveUp) => this.giveUp(giveUp, failure),
      );
    } catch (err) {
      if (err instanceof FinalAnswer) return err.response as NetworkResponse<T>;
      throw err;
    }
  }

  /** A final HTTP answer goes back to MSAL (it explains AADSTS errors); a network failure is rethrown as fetch threw it. */
  private giveUp(giveUp: GiveUp, failure: ClassifiedFailure | undefined): Error {
    if (giveUp.outcome.kind === 'response' && this.lastExchange) {
      const exchange = this.lastExchange;
      return new FinalAnswer({ status: exchange.status, headers: {}, body: parseBody(exchange.bodyText) });
    }
    if (failure) this.lastGiveUp = { failure, hostFailure: giveUp.decision.hostFailure === true };
    return this.lastFailure instanceof Error ? this.lastFailure : new Error(giveUp.decision.reason);
  }
}

function toNetworkResponse<T>(response: Response, bodyText: string): NetworkResponse<T> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
  return { headers, body: parseBody(bodyText) as T, status: response.status };
}

/** MSAL reads error fields off the body; a proxy's HTML page becomes an empty object, the status still tells. */
function parseBody(bodyText: string): unknown {
  if (bodyText === '') return {};
  try {
    const parsed: unknown = JSON.parse(bodyText);
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
