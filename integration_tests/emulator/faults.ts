/**
 * Scriptable faults. A test adds rules; each request is matched against them before normal
 * handling, and the first rule that fires decides what goes wrong with that one request.
 */
import type { Target } from './context';
import { loadFixture } from './fixtures';
import { dataverseError, dataverseJson, type Reply } from './router';

/** The three service-protection limits (facts §7), by the fixture holding each 429 body. */
export const THROTTLE_FIXTURES = {
  requests: 'error-throttle-429.json',
  execution: 'error-throttle-429-execution-time.json',
  concurrency: 'error-throttle-429-concurrency.json',
} as const;

/**
 * What happens to a matched request.
 *
 * From `trickle` on, the kinds are [INF]: what networks, gateways and proxies between the client
 * and the service do (stalled or slow bodies, a front end going away, an error page echoing
 * request headers, a token answer with an unusable lifetime). facts.md records no Dataverse
 * answer of these shapes; they exist so a client's timeouts, retries, redaction and validation
 * can be proven against them.
 */
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
  | { kind: 'expireTokens' }
  /**
   * The real status and headers (full Content-Length) at once, then the real body
   * `bytesPerWrite` bytes at a time with `intervalMs` between writes (defaults
   * {@link TRICKLE_DEFAULTS}): the whole body takes (writes - 1) x intervalMs. When the client
   * goes away the writing stops and the socket is destroyed.
   */
  | { kind: 'trickle'; bytesPerWrite?: number; intervalMs?: number }
  /**
   * The real status and headers (chunked: no Content-Length) and the first `afterBytes` bytes of
   * the real body (default 0: headers only), then nothing: the response never ends and the
   * connection stays open until the client closes it or the emulator closes.
   */
  | { kind: 'neverEnd'; afterBytes?: number }
  /** The request is read, nothing is ever sent (no status line); the connection stays open. */
  | { kind: 'silent' }
  /**
   * Org only. Instead of the real answer, `status` (default 400) with the Dataverse error envelope
   * (code 0x80040216) whose message quotes the request's Authorization header: the token of a
   * `Bearer <token>` header starts at body character {@link ECHO_TOKEN_OFFSET} and the body is
   * {@link ECHO_TOKEN_BODY_LENGTH} characters (longer if the header is very long).
   */
  | { kind: 'echoToken'; status?: number }
  /**
   * Login only. The token endpoint answers as usual (a 200 issues a real token the org accepts),
   * but a 200's `expires_in` is `value` as given: any JSON value (`"abc"`, -5, 0, null,
   * `JSON.rawJSON('1e400')`); `undefined` leaves the field out. Error answers pass unchanged.
   */
  | { kind: 'tokenExpiresIn'; value: unknown }
  /**
   * The target's server stops listening (new connections: ECONNREFUSED) and drops its idle
   * keep-alive connections. The matched request is answered normally with `Connection: close`,
   * or with `before: true` its connection is destroyed unanswered. With `reopenAfterMs` the
   * server listens again on the same port after that many ms.
   */
  | { kind: 'closeListener'; before?: boolean; reopenAfterMs?: number };

/** What a `trickle` fault writes when not told otherwise. */
export const TRICKLE_DEFAULTS = { bytesPerWrite: 16, intervalMs: 1000 } as const;

/** When a fault applies. */
export interface FaultRule {
  /**
   * `part`: an inner request of a `$batch` (matched on its own path); only `throttle` and `status`
   * apply there, as the service answers a single failed part inside a 200 batch (facts §8).
   */
  target: 'login' | 'org' | 'part';
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
  take(target: Target | 'part', method: string, rawPath: string): FaultAction | undefined {
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

/** Where the token of a `Bearer <token>` header starts in an `echoToken` body. */
export const ECHO_TOKEN_OFFSET = 400;
/** The length of an `echoToken` body (unless the quoted header makes it longer). */
export const ECHO_TOKEN_BODY_LENGTH = 2500;

const ECHO_TOKEN_CODE = '0x80040216';
const ECHO_FILLER = 'Request diagnostics follow. ';
const ECHO_TAIL = ' The gateway policy does not allow this request.';

function repeatTo(text: string, length: number): string {
  return text.repeat(Math.ceil(Math.max(0, length) / text.length)).slice(0, Math.max(0, length));
}

/**
 * The reply of an `echoToken` fault. [INF] Not an observed Dataverse answer: it stands for a
 * gateway or proxy that echoes request headers into a long error message, the worst case for a
 * client that prints error bodies. The token sits across character 500 so that cutting the body
 * to 500 characters before redacting leaves part of the token in the text.
 */
export function echoTokenReply(status: number, authorization: string | string[] | undefined): Reply {
  const quoted = authorization === undefined ? '(none)' : Array.isArray(authorization) ? authorization.join(', ') : authorization;
  const envelopeLength = (message: string) => JSON.stringify({ error: { code: ECHO_TOKEN_CODE, message } }).length;
  const lead = 'Gateway rejected request with header Authorization: ';
  // No character before the header needs a JSON escape, so message and body offsets differ by the envelope's head.
  const head = envelopeLength('') - '"}}'.length;
  const start = `${repeatTo(ECHO_FILLER, ECHO_TOKEN_OFFSET - head - lead.length - 'Bearer '.length)}${lead}${quoted}.`;
  return dataverseError(status, ECHO_TOKEN_CODE, start + repeatTo(ECHO_TAIL, ECHO_TOKEN_BODY_LENGTH - envelopeLength(start)));
}

/** A token endpoint reply with `expires_in` replaced, when it is a 200 that issued a token. */
export function withExpiresIn(reply: Reply, value: unknown): Reply {
  if (reply.status !== 200) return reply;
  const body = JSON.parse(reply.body.toString()) as Record<string, unknown>;
  if (typeof body.access_token !== 'string') return reply;
  body.expires_in = value;
  return { ...reply, body: JSON.stringify(body) };
}

/** The reply of a `status` fault. */
export function statusReply(action: { status: number; body?: unknown; headers?: Record<string, string> }, contentType: string): Reply {
  if (action.body === undefined) return { status: action.status, headers: { ...action.headers }, body: '' };
  const body = typeof action.body === 'string' ? action.body : JSON.stringify(action.body);
  return { status: action.status, headers: { 'Content-Type': contentType, ...action.headers }, body };
}

/** A body that JSON.parse rejects: what a misbehaving gateway sends with a 200. */
export const MALFORMED_BODY = '<html><head><title>Service Unavailable</title></head><body>The service is temporarily unavailable.</body></html>';
