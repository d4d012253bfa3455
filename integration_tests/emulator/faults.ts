/**
 * Scriptable faults. A test adds rules; each request is matched against them before normal
 * handling, and the first rule that fires decides what goes wrong with that one request.
 */
import type { Target } from './context';
import { loadFixture } from './fixtures';
import { dataverseJson, type Reply } from './router';

/** The three service-protection limits (facts §7), by the fixture holding each 429 body. */
export const THROTTLE_FIXTURES = {
  requests: 'error-throttle-429.json',
  execution: 'error-throttle-429-execution-time.json',
  concurrency: 'error-throttle-429-concurrency.json',
} as const;

/** What happens to a matched request. */
export type FaultAction =
  /**
   * 429 + Retry-After with the Dataverse service-protection body of that limit. On the login host
   * the same body is sent: MSAL only looks at the status and Retry-After.
   */
  | { kind: 'throttle'; code: keyof typeof THROTTLE_FIXTURES; retryAfterSeconds: number }
  /** This status instead of the real answer; `body` as is if a string, else as JSON; no body by default. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /**
   * Connection reset (TCP RST). Without `afterBytes`, before anything is sent (fetch rejects);
   * with it, after the real headers and the first `afterBytes` bytes of the real body.
   */
  | { kind: 'reset'; afterBytes?: number }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** 200 with JSON headers and a body that is not JSON (a proxy's HTML page). */
  | { kind: 'malformed' }
  /** The real headers (full Content-Length), half the real body, then the connection closes. */
  | { kind: 'truncate' }
  /** Revoke every issued token, then answer normally: an org request itself gets the 401. */
  | { kind: 'expireTokens' };

/** When a fault applies. */
export interface FaultRule {
  target: 'login' | 'org';
  /** Case-insensitive; any method when absent. */
  method?: string;
  /** Tested against path + query as received (percent-encoded); a string is a substring match. */
  path?: RegExp | string;
  /** Let the first `skip` matching requests through untouched. */
  skip?: number;
  /** How many times the fault fires after the skipped ones; default 1, `Infinity` allowed. */
  times?: number;
  action: FaultAction;
}

/** A live rule: how often it matched and fired. */
export interface FaultHandle {
  readonly rule: FaultRule;
  /** Requests that matched the rule (including skipped ones, excluding those after it was used up). */
  readonly seen: number;
  /** Requests the fault was applied to. */
  readonly hits: number;
  /** Stops the rule from firing again. */
  remove(): void;
}

interface LiveRule {
  rule: FaultRule;
  seen: number;
  hits: number;
}

/** The fault rules of one emulator. */
export class Faults {
  private rules: LiveRule[] = [];

  /** Adds a rule; rules are tried in the order added. */
  add(rule: FaultRule): FaultHandle {
    const live: LiveRule = { rule, seen: 0, hits: 0 };
    this.rules.push(live);
    return {
      rule,
      get seen() {
        return live.seen;
      },
      get hits() {
        return live.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== live);
      },
    };
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /**
   * The action to apply to this request, if any, counting it against the rules it matches. A rule
   * that is used up no longer counts requests, and later rules still see the request.
   */
  take(target: Target, method: string, rawPath: string): FaultAction | undefined {
    for (const live of this.rules) {
      const { rule } = live;
      if (rule.target !== target) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!pathMatches(rule.path, rawPath)) continue;
      if (live.hits >= (rule.times ?? 1)) continue;
      live.seen++;
      if (live.seen <= (rule.skip ?? 0)) continue;
      live.hits++;
      return rule.action;
    }
    return undefined;
  }
}

function pathMatches(pattern: RegExp | string | undefined, rawPath: string): boolean {
  if (pattern === undefined) return true;
  if (typeof pattern === 'string') return rawPath.includes(pattern);
  pattern.lastIndex = 0; // a /g or /y pattern would otherwise remember the previous test
  return pattern.test(rawPath);
}

/** The 429 a throttle fault answers, with the exact service-protection body. */
export function throttleReply(code: keyof typeof THROTTLE_FIXTURES, retryAfterSeconds: number): Reply {
  return dataverseJson(429, loadFixture(THROTTLE_FIXTURES[code]), { 'Retry-After': String(retryAfterSeconds) });
}

/** The reply of a `status` fault. */
export function statusReply(action: { status: number; body?: unknown; headers?: Record<string, string> }, contentType: string): Reply {
  if (action.body === undefined) return { status: action.status, headers: { ...action.headers }, body: '' };
  const body = typeof action.body === 'string' ? action.body : JSON.stringify(action.body);
  return { status: action.status, headers: { 'Content-Type': contentType, ...action.headers }, body };
}

/** A body that JSON.parse rejects: what a misbehaving gateway sends with a 200. */
export const MALFORMED_BODY = '<html><head><title>Service Unavailable</title></head><body>The service is temporarily unavailable.</body></html>';
