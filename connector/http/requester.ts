/**
 * HttpRequester: builds one request from the manifest's templates, sends it with a bearer token to
 * the org host only, and applies the retry policy. It is the only place that calls fetch for
 * Dataverse, so the read-only rule (GET, or $batch of GETs) and the same-origin rule live here.
 */
import { ConfigError, ConnectorError, DataverseError, ResponseError, TransientError } from '../errors';
import type { Authenticator } from './authenticator';
import type { ErrorDescriber } from './error-describer';
import { encodeBatch, parseBatchResponse, type BatchPartResponse } from './batch';
import { withDeadline } from './deadline';
import { LongDigitScan, parseJsonBody } from './exact-json';
import { linkProblem, onOrgHost } from './links';
import { classifyNetworkError, unreachableHostError, type ClassifiedFailure } from './network-errors';
import { requestLine } from './request-line';
import { MalformedResponse, withRetries, type AttemptResult, type GiveUp } from './retry-loop';
import { actionFor, type Outcome, type RetryPolicy } from './retry-policy';
import { giveBack, MAX_SLOT_WAIT_MS, readUnderSlot, type PageSlots, type SlotRelease } from './page-slots';
import { bodyText, parseDataverseError } from './error-body';
import { buildUrl, MAX_BATCH_URL_CHARS, MAX_GET_URL_CHARS } from './url';
import { pauseOnRetryAfter, type GateDeps } from './throttle-gate';

/** Values a template sees when a request is built (Airbyte's interpolation variables). */
export type RequestContext = Record<string, unknown>;

/** Something that renders to a value for a context: a compiled manifest template. */
export interface Renderable {
  render(context: RequestContext): unknown;
}

/** Injected I/O, so tests control time and the network; and the process's throttle gate. */
export interface HttpDeps extends GateDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random: () => number;
  /** Progress and retry notices for people (LOG messages). */
  log: (level: 'INFO' | 'WARN' | 'DEBUG', message: string) => void;
  timeoutMs: number;
  /** Aborted when the process is told to stop: the request ends at once and is not retried. */
  signal?: AbortSignal;
  /** Replaces the first backoff step of the retry policy (tests and debugging; Retry-After is never scaled). */
  backoffBaseMs?: number;
  /** Removes secrets from text that may end up in an error (a body echoing the token); applied before any truncation. */
  redact?: (text: string) => string;
  /**
   * Origins that answered at least once in this run, shared by every requester and the token
   * endpoint: a refused connection to one of them is an outage to retry, not a wrong URL.
   */
  reachedHosts?: Set<string>;
  /** One per process: the pages held in memory at once (page-slots.ts); absent, no bound. */
  pageSlots?: PageSlots;
  /** One per process: page requests in flight at once, whose answers are buffered until read (page-slots.ts). */
  pageRequests?: PageSlots;
  /** The largest answer read (body-text.ts MAX_BODY_BYTES when absent; smaller in tests). */
  maxBodyBytes?: number;
}

export interface HttpRequesterOptions {
  urlBase: Renderable;
  path: Renderable;
  /** Query parameters (a rendered mapping); empty values are left out. */
  requestParameters: Renderable;
  requestHeaders: Renderable;
  authenticator: Authenticator;
  retryPolicy: RetryPolicy;
  /** The customer wording of service error codes (injected: this layer knows no service's codes). */
  describer: ErrorDescriber;
  deps: HttpDeps;
}

/** Additions to one request: an incremental cursor's query parameters, a change-tracking preference. */
export interface RequestExtras {
  headers?: Record<string, string>;
  parameters?: Record<string, unknown>;
  /**
   * A page of a walk: its body is read under a page slot, which the result's `release` gives
   * back (the walk calls it once the page is written, when it asks for the next one).
   */
  holdPage?: boolean;
  /**
   * The first page of a walk that may ask again for fewer rows: past this many bytes its answer
   * is given up with PageTooLargeError (body-text.ts), before the page is parsed.
   */
  firstPageBytes?: number;
}

/** A response the caller can use: status 2xx, body parsed. */
export interface HttpResult {
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
  /** With `holdPage`: gives the page's slot back. */
  release?: SlotRelease;
}

function parseJson(text: string, _response: Response, target: URL, longDigits: boolean): unknown {
  return parseJsonBody(text, target.pathname, longDigits);
}

/** Error bodies kept for engineers (internal_message): redacted first, then cut. */
const INTERNAL_BODY_CHARS = 500;

export class HttpRequester {
  private readonly reached: Set<string>;

  constructor(private readonly options: HttpRequesterOptions) {
    this.reached = options.deps.reachedHosts ?? new Set();
  }

  /** A notice for people (a LOG message), from a component that reads through this requester. */
  log(level: 'INFO' | 'WARN', message: string): void {
    this.options.deps.log(level, message);
  }

  /**
   * Sends the request for `context`; `absoluteUrl` (a nextLink or a saved link) replaces path and
   * parameters, and must name the same resource as the templated request (links.ts). Resolves
   * with a parsed 2xx response or throws one of the connector's errors.
   */
  async send(context: RequestContext, absoluteUrl?: string, extra?: RequestExtras): Promise<HttpResult> {
    const base = String(this.options.urlBase.render(context));
    const path = String(this.options.path.render(context));
    if (absoluteUrl !== undefined) this.checkFollowable(context, absoluteUrl);
    const params = { ...((this.options.requestParameters.render(context) ?? {}) as Record<string, unknown>), ...extra?.parameters };
    const url = absoluteUrl ?? buildUrl(base, path, params);
    const headers = this.renderHeaders(context);
    for (const [name, value] of Object.entries(extra?.headers ?? {})) {
      // Preferences combine: one Prefer header, comma-separated (RFC 7240), as Dataverse accepts.
      const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
      if (existing && name.toLowerCase() === 'prefer') headers[existing] = `${headers[existing]},${value}`;
      else headers[existing ?? name] = value;
    }
    if (url.length > MAX_GET_URL_CHARS) return this.sendInsideBatch(context, url, headers);
    const response = await this.execute(base, url, { method: 'GET', headers, holdPage: extra?.holdPage, firstPageBytes: extra?.firstPageBytes }, parseJson);
    return { url, status: response.status, headers: response.headers, body: response.parsed, ...(response.release ? { release: response.release } : {}) };
  }

  /** A GET too long for a URL, sent as the one part of a `$batch`, with the same headers and the same failure policy. */
  private async sendInsideBatch(context: RequestContext, url: string, headers: Record<string, string>): Promise<HttpResult> {
    const target = new URL(url);
    if (url.length > MAX_BATCH_URL_CHARS) {
      throw new ConfigError(
        `the request for ${target.pathname} is ${url.length} characters long, more than the ${MAX_BATCH_URL_CHARS} Dataverse accepts even inside $batch: select fewer columns of this stream in the configured catalog`,
      );
    }
    const base = String(this.options.urlBase.render(context));
    const relative = `${target.pathname}${target.search}`.slice(new URL(base).pathname.replace(/\/+$/, '').length + 1);
    const [part] = await this.sendBatchParts(context, [relative], headers);
    if (part.status < 200 || part.status >= 300) throw this.partError(part, `GET ${target.pathname} (inside $batch: its URL is ${url.length} characters)`);
    if (part.body === null || typeof part.body !== 'object') throw new ResponseError(`the $batch part answering GET ${target.pathname} holds no JSON body`);
    return { url, status: part.status, headers: new Headers(part.headers), body: part.body };
  }

  /** The absolute URL of a path relative to url_base, for requests built outside the templates. */
  urlFor(context: RequestContext, relativePath: string, params: Record<string, unknown> = {}): string {
    return buildUrl(String(this.options.urlBase.render(context)), relativePath, params);
  }

  /**
   * Sends GETs (paths relative to url_base, with their query) as `$batch` POSTs. Parts that answer
   * 429 or 5xx are sent again, alone, through the same failure policy as any request; the other
   * parts' statuses are returned as they are, for the caller to explain (`partError`).
   */
  sendBatch(context: RequestContext, relativePaths: readonly string[]): Promise<BatchPartResponse[]> {
    return this.sendBatchParts(context, relativePaths, { Accept: 'application/json' });
  }

  private async sendBatchParts(context: RequestContext, relativePaths: readonly string[], partHeaders: Record<string, string>): Promise<BatchPartResponse[]> {
    const results: BatchPartResponse[] = new Array(relativePaths.length);
    let pending = relativePaths.map((_, i) => i);
    // Each round's POST takes its own gate slot (execute): this loop takes none, it passes the parts' throttling on.
    const deps = { ...this.options.deps, gate: this.options.deps.gate?.signalsOnly() };
    const what = `$batch of ${relativePaths.length} requests`;
    const policy = this.policy();
    return withRetries<BatchPartResponse[]>(
      what,
      policy,
      deps,
      async () => {
        const answers = await this.postBatch(context, pending.map((i) => relativePaths[i]), partHeaders);
        const again: number[] = [];
        let retryOutcome: Extract<Outcome, { kind: 'response' }> | undefined;
        answers.forEach((answer, k) => {
          // As for a single request, filters read error bodies only: a 2xx part's (often large) body is not serialised for them.
          const text = answer.status >= 200 && answer.status < 300 ? undefined : bodyText(answer.body);
          const { action } = actionFor(answer.status, text ?? '', policy.filters);
          if (action === 'RETRY' || action === 'RATE_LIMITED') {
            again.push(pending[k]);
            // The wait of the round is the one the most demanding part asks for.
            if (!retryOutcome || action === 'RATE_LIMITED') retryOutcome = { kind: 'response', status: answer.status, retryAfter: answer.headers['retry-after'], bodyText: text };
          } else {
            results[pending[k]] = answer;
          }
        });
        pending = again;
        if (!retryOutcome) return { outcome: { kind: 'response', status: 200 }, accept: () => results };
        const code = parseDataverseError(retryOutcome.bodyText ?? '').code;
        return { outcome: retryOutcome, detail: `${again.length} of the parts${code ? `, ${code}` : ''}` };
      },
      (giveUp) => this.failure(giveUp, new URL(this.urlFor(context, '$batch')), 'POST', pending.length === 1 ? 'a $batch part' : `${pending.length} $batch parts`),
    );
  }

  /**
   * The error for a failed `$batch` part: the same wording as a failed request, so every
   * caller explains part failures alike. `what` names what the part asked for.
   */
  partError(part: BatchPartResponse, what: string): ConnectorError {
    const text = bodyText(part.body);
    const outcome: Outcome = { kind: 'response', status: part.status, bodyText: text };
    const { action, failureType } = actionFor(part.status, text, this.options.retryPolicy.filters);
    const transient = action === 'RETRY' || action === 'RATE_LIMITED' || failureType === 'transient_error';
    return this.responseFailure(outcome, { reason: `HTTP ${part.status}`, transient, failureType }, text, what);
  }

  private async postBatch(context: RequestContext, relativePaths: readonly string[], partHeaders: Record<string, string>): Promise<BatchPartResponse[]> {
    const base = String(this.options.urlBase.render(context));
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    const boundary = `batch_${Math.floor(this.options.deps.random() * 2 ** 48).toString(16)}`;
    const body = encodeBatch(boundary, relativePaths.map((p) => `${basePath}/${p.replace(/^\/+/, '')}`), partHeaders);
    const headers = {
      ...this.renderHeaders(context),
      'Content-Type': `multipart/mixed; boundary="${boundary}"`,
      Prefer: 'odata.continue-on-error',
    };
    const response = await this.execute(base, buildUrl(base, '$batch', {}), { method: 'POST', headers, body }, (text, res, _target, longDigits) => {
      try {
        return parseBatchResponse(res.headers.get('content-type'), text, longDigits);
      } catch (err) {
        throw new MalformedResponse(`the $batch response is malformed: ${(err as Error).message}`);
      }
    });
    if (response.parsed.length !== relativePaths.length) {
      throw new ResponseError(`the $batch answer holds ${response.parsed.length} parts for ${relativePaths.length} requests`);
    }
    return response.parsed;
  }

  /**
   * Throws unless `link` may be followed for `context`: on the org host and on the resource the
   * templated request names (when it names one). Retrievers call it before they hand out the page
   * that carries the link, so a page with a bad link yields nothing.
   */
  checkFollowable(context: RequestContext, link: string): void {
    const base = String(this.options.urlBase.render(context));
    const path = String(this.options.path.render(context));
    const problem = path === '' ? linkProblem(link, base, 'host') : linkProblem(link, buildUrl(base, path, {}));
    if (problem === undefined) return;
    throw new ResponseError(`Dataverse returned a link that ${problem}; the read stopped and no token was sent there`, {
      internal: `refused link of ${link.length} characters`,
    });
  }

  private policy(): RetryPolicy {
    const { deps, retryPolicy } = this.options;
    return deps.backoffBaseMs === undefined ? retryPolicy : { ...retryPolicy, baseDelayMs: deps.backoffBaseMs };
  }

  /** One request through the shared retry loop: auth, the per-attempt deadline, the 401 refresh and the failure policy. */
  private async execute<T>(base: string, url: string, init: RequestInit_, parse: (text: string, response: Response, target: URL, longDigits: boolean) => T): Promise<Answer<T> & { release?: SlotRelease }> {
    const { origin, target } = onOrgHost(base, url);
    const request: Attempted<T> = { url, init, parse, origin, target, what: `${init.method} ${target.pathname}`, slots: init.holdPage ? this.options.deps.pageSlots : undefined };
    const call: CallState = {};
    try {
      const answer = await withRetries(
        request.what,
        this.policy(),
        this.options.deps,
        (attempt) => this.attempt(attempt, request, call),
        (giveUp) => (giveUp.decision.hostFailure && call.failure ? unreachableHostError(origin, call.failure, call.cause) : this.failure(giveUp, target, init.method)),
      );
      return { ...answer, ...(call.held ? { release: call.held } : {}) };
    } catch (err) {
      call.held?.();
      throw err;
    }
  }

  /** One attempt: the answer's outcome for the failure policy, and how to take it when it is a success. */
  private async attempt<T>(attempt: number, request: Attempted<T>, call: CallState): Promise<AttemptResult<Answer<T>>> {
    const { deps } = this.options;
    const { url, init, what, origin, target } = request;
    const authorization = await this.options.authenticator.authorization();
    let response: Response;
    let text: string;
    const digits = new LongDigitScan();
    const started = deps.now();
    try {
      call.held?.();
      // An answer nobody reads yet may still be buffered by the HTTP client: page requests in flight are bounded too.
      const sending = request.slots && deps.pageRequests ? await deps.pageRequests.acquire(deps.signal, MAX_SLOT_WAIT_MS) : undefined;
      try {
        ({ response, text, release: call.held } = await withDeadline(deps.timeoutMs, deps.signal, what, async (signal) => {
          const answer = await deps.fetch(url, { method: init.method, headers: { ...init.headers, Authorization: authorization }, body: init.body, signal, redirect: 'manual' });
          if (answer.status === 429) pauseOnRetryAfter(deps.gate, answer.headers, deps.now());
          return readUnderSlot(answer, signal, request.slots, { what, limitBytes: deps.maxBodyBytes, softLimitBytes: init.firstPageBytes, onBytes: (bytes) => digits.feed(bytes) });
        }));
      } finally {
        sending?.();
      }
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      call.cause = err;
      const failure = (call.failure = classifyNetworkError(err));
      deps.log('DEBUG', requestLine(what, failure.kind, deps.now() - started, attempt));
      if (failure.kind === 'timeout') return { outcome: { kind: 'timeout', afterMs: deps.timeoutMs } };
      return { outcome: { kind: 'network', failure: failure.kind, description: failure.description, hostAnsweredBefore: this.reached.has(origin) } };
    }
    this.reached.add(origin);
    deps.log('DEBUG', requestLine(what, response.status, deps.now() - started, attempt));
    if (response.status === 401) {
      // A token can expire or be revoked mid-sync: fetch a fresh one once before giving up.
      this.options.authenticator.invalidate();
      deps.log('INFO', `Dataverse answered 401 for ${target.pathname}; getting a new access token and retrying once`);
    }
    const isError = response.status < 200 || response.status >= 300;
    if (isError) call.held = giveBack(call.held);
    return {
      outcome: { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after'), bodyText: isError ? text : undefined },
      again: response.status === 401,
      accept: () => ({ status: response.status, headers: response.headers, parsed: request.parse(text, response, target, digits.found) }),
      detail: isError ? parseDataverseError(text).code : undefined,
      headers: response.headers,
    };
  }

  private renderHeaders(context: RequestContext): Record<string, string> {
    const rendered = (this.options.requestHeaders.render(context) ?? {}) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(rendered)) if (v !== undefined && v !== null && v !== '') headers[k] = String(v);
    return headers;
  }

  /** Error text for engineers: secrets out first (a body may echo the token), then cut to size. */
  private internalText(text: string): string {
    const clean = this.options.deps.redact ? this.options.deps.redact(text) : text;
    return clean.length <= INTERNAL_BODY_CHARS ? clean : `${clean.slice(0, INTERNAL_BODY_CHARS)}... (${clean.length} characters)`;
  }

  private failure({ outcome, decision }: GiveUp, target: URL, method: string, what?: string): Error {
    const where = what ?? `${method} ${target.pathname}`;
    if (outcome.kind !== 'response') {
      const message = `Dataverse did not answer ${where} properly: ${decision.reason}`;
      return outcome.kind === 'network' && outcome.failure === 'malformed' ? new ResponseError(message) : new TransientError(message);
    }
    return this.responseFailure(outcome, decision, outcome.bodyText ?? '', where);
  }

  private responseFailure(
    outcome: Extract<Outcome, { kind: 'response' }>,
    decision: { reason: string; transient: boolean; failureType?: string },
    errorText: string,
    where: string,
  ): ConnectorError {
    const { code, message } = parseDataverseError(errorText);
    const internal = this.internalText(errorText);
    const detail = message ? this.internalText(message) : '';
    if (decision.transient) {
      return new TransientError(`Dataverse is busy or unavailable: ${where} ${decision.reason}${code ? ` (${code}: ${detail})` : ''}; try again later`, { internal });
    }
    const { describer } = this.options;
    const described = describer.describeResponse(code, message ?? '');
    const customerFacing = decision.failureType === undefined ? undefined : decision.failureType === 'config_error';
    if (described) return new DataverseError(described, outcome.status, code, { internal: `${outcome.status} ${code}: ${detail}`, customerFacing });
    if (outcome.status === 401) {
      return new DataverseError(describer.rejectedToken(), 401, code, { internal });
    }
    return new DataverseError(`Dataverse refused ${where} (HTTP ${outcome.status}${code ? `, ${code}` : ''})${detail ? `: ${detail}` : ''}`, outcome.status, code, {
      internal,
      customerFacing,
    });
  }
}

type RequestInit_ = { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; holdPage?: boolean; firstPageBytes?: number };
type Answer<T> = { status: number; headers: Headers; parsed: T };

/** One request as its attempts see it. */
interface Attempted<T> {
  url: string;
  init: RequestInit_;
  parse: (text: string, response: Response, target: URL, longDigits: boolean) => T;
  origin: string;
  target: URL;
  what: string;
  slots?: PageSlots;
}

/** What the attempts of one request share: the last network failure, and the page slot of the latest attempt (passed on with a 2xx page, given back on every other path). */
interface CallState {
  failure?: ClassifiedFailure;
  cause?: unknown;
  held?: SlotRelease;
}
