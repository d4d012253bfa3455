/**
 * HttpRequester: builds one request from the manifest's templates, sends it with a bearer token to
 * the org host only, and applies the retry policy. It is the only place that calls fetch for
 * Dataverse, so the read-only rule (GET, or $batch of GETs) and the same-origin rule live here.
 */
import { describeDataverseError, type ErrorContext } from '../dataverse/error-messages';
import { ConnectorError, DataverseError, InterruptedError, ResponseError, TransientError } from '../errors';
import type { Authenticator } from './authenticator';
import { encodeBatch, parseBatchResponse, type BatchPartResponse } from './batch';
import { parseExactJson } from './exact-json';
import { classifyNetworkError, isHostFailure, unreachableHostError } from './network-errors';
import { decide, type Attempts, type Outcome, type RetryPolicy } from './retry-policy';

/** Values a template sees when a request is built (Airbyte's interpolation variables). */
export type RequestContext = Record<string, unknown>;

/** Something that renders to a value for a context: a compiled manifest template. */
export interface Renderable {
  render(context: RequestContext): unknown;
}

/** Injected I/O, so tests control time and the network. */
export interface HttpDeps {
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
}

export interface HttpRequesterOptions {
  urlBase: Renderable;
  path: Renderable;
  /** Query parameters (a rendered mapping); empty values are left out. */
  requestParameters: Renderable;
  requestHeaders: Renderable;
  authenticator: Authenticator;
  retryPolicy: RetryPolicy;
  errorContext: ErrorContext;
  deps: HttpDeps;
}

/** Additions to one request: an incremental cursor's query parameters, a change-tracking preference. */
export interface RequestExtras {
  headers?: Record<string, string>;
  parameters?: Record<string, unknown>;
}

/** A response the caller can use: status 2xx, body parsed. */
export interface HttpResult {
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
}

/** Sleeps between retries, but wakes up and stops at once when the process is told to stop. */
async function pause(deps: HttpDeps, ms: number): Promise<void> {
  const signal = deps.signal;
  if (!signal) return deps.sleep(ms);
  if (!signal.aborted) await Promise.race([deps.sleep(ms), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
  if (signal.aborted) throw new InterruptedError(`stopped by ${String(signal.reason)} while waiting to retry`);
}

/** A 2xx body that cannot be parsed: retried like a broken connection, then a ResponseError. */
class MalformedBody extends Error {}

function parseJson(text: string, _response: Response, target: URL): unknown {
  if (text === '') return {};
  try {
    return parseExactJson(text);
  } catch {
    throw new MalformedBody(`the response to ${target.pathname} was not valid JSON (${text.length} bytes)`);
  }
}

/** Keeps OData's `$` and `@` and the punctuation of filters readable in URLs (servers decode both forms). */
function encodeQueryPart(value: string): string {
  return encodeURIComponent(value).replace(/%24/g, '$').replace(/%40/g, '@').replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%2F/gi, '/');
}

export function buildUrl(base: string, path: string, params: Record<string, unknown>): string {
  const joined = /^https?:\/\//i.test(path) ? path : base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
  const query = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeQueryPart(k)}=${encodeQueryPart(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
  if (!query) return joined;
  return joined + (joined.includes('?') ? '&' : '?') + query;
}

/** Parses `{"error":{"code","message"}}`, Dataverse's error envelope, tolerating anything else. */
export function parseDataverseError(text: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed?.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : undefined;
    return { code, message };
  } catch {
    return {};
  }
}

export class HttpRequester {
  constructor(private readonly options: HttpRequesterOptions) {}

  /**
   * Sends the request for `context`; `absoluteUrl` (a nextLink or deltaLink) replaces path and
   * parameters. Resolves with a parsed 2xx response or throws one of the connector's errors.
   */
  async send(context: RequestContext, absoluteUrl?: string, extra?: RequestExtras): Promise<HttpResult> {
    const base = String(this.options.urlBase.render(context));
    const params = { ...((this.options.requestParameters.render(context) ?? {}) as Record<string, unknown>), ...extra?.parameters };
    const url = absoluteUrl ?? buildUrl(base, String(this.options.path.render(context)), params);
    const headers = this.renderHeaders(context);
    for (const [name, value] of Object.entries(extra?.headers ?? {})) {
      // Preferences combine: one Prefer header, comma-separated (RFC 7240), as Dataverse accepts.
      const existing = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
      if (existing && name.toLowerCase() === 'prefer') headers[existing] = `${headers[existing]},${value}`;
      else headers[existing ?? name] = value;
    }
    const response = await this.execute(base, url, { method: 'GET', headers }, parseJson);
    return { url, status: response.status, headers: response.headers, body: response.parsed };
  }

  /** The absolute URL of a path relative to url_base, for requests built outside the templates. */
  urlFor(context: RequestContext, relativePath: string, params: Record<string, unknown> = {}): string {
    return buildUrl(String(this.options.urlBase.render(context)), relativePath, params);
  }

  /**
   * Sends GETs (paths relative to url_base, with their query) as one `$batch` POST. The parts'
   * own statuses are returned as they are: a failed part is for the caller to explain.
   */
  async sendBatch(context: RequestContext, relativePaths: readonly string[]): Promise<BatchPartResponse[]> {
    const base = String(this.options.urlBase.render(context));
    const basePath = new URL(base).pathname.replace(/\/+$/, '');
    const boundary = `batch_${Math.floor(this.options.deps.random() * 2 ** 48).toString(16)}`;
    const body = encodeBatch(boundary, relativePaths.map((p) => `${basePath}/${p.replace(/^\/+/, '')}`));
    const headers = {
      ...this.renderHeaders(context),
      'Content-Type': `multipart/mixed; boundary="${boundary}"`,
      Prefer: 'odata.continue-on-error',
    };
    const response = await this.execute(base, buildUrl(base, '$batch', {}), { method: 'POST', headers, body }, (text, res) => {
      try {
        return parseBatchResponse(res.headers.get('content-type'), text);
      } catch (err) {
        throw new MalformedBody(`the $batch response is malformed: ${(err as Error).message}`);
      }
    });
    return response.parsed;
  }

  /** One request with auth, the same-origin rule, the 401 refresh and the retry policy. */
  private async execute<T>(
    base: string,
    url: string,
    init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
    parse: (text: string, response: Response, target: URL) => T,
  ): Promise<{ status: number; headers: Headers; parsed: T }> {
    const origin = new URL(base).origin;
    const target = new URL(url);
    if (target.origin !== origin) {
      throw new ResponseError(`Dataverse returned a link to ${target.origin}, which is not the org host ${origin}; the read stopped and no token was sent there`, {
        internal: `refused URL with origin ${target.origin}`,
      });
    }
    const { deps } = this.options;
    const retryPolicy = deps.backoffBaseMs === undefined ? this.options.retryPolicy : { ...this.options.retryPolicy, baseDelayMs: deps.backoffBaseMs };
    const attempts: Attempts = { failures: 0, rateLimited: 0 };
    let refreshedToken = false;
    for (;;) {
      let outcome: Outcome;
      let errorText = '';
      try {
        const response = await deps.fetch(url, {
          method: init.method,
          headers: { ...init.headers, Authorization: await this.options.authenticator.authorization() },
          body: init.body,
          signal: deps.signal ? AbortSignal.any([deps.signal, AbortSignal.timeout(deps.timeoutMs)]) : AbortSignal.timeout(deps.timeoutMs),
          redirect: 'manual',
        });
        const text = await response.text();
        outcome = { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after') };
        if (response.status === 401 && !refreshedToken) {
          // A token can expire or be revoked mid-sync: fetch a fresh one once before giving up.
          refreshedToken = true;
          this.options.authenticator.invalidate();
          deps.log('INFO', `Dataverse answered 401 for ${target.pathname}; getting a new access token and retrying once`);
          continue;
        }
        if (response.status >= 200 && response.status < 300) {
          try {
            return { status: response.status, headers: response.headers, parsed: parse(text, response, target) };
          } catch (err) {
            if (!(err instanceof MalformedBody)) throw err;
            outcome = { kind: 'network', description: err.message };
          }
        } else {
          errorText = text;
        }
      } catch (err) {
        if (err instanceof ConnectorError) throw err;
        if (deps.signal?.aborted) throw new InterruptedError(`stopped by ${String(deps.signal.reason)} during ${init.method} ${target.pathname}`);
        const failure = classifyNetworkError(err);
        if (isHostFailure(failure)) throw unreachableHostError(origin, failure, err);
        outcome = failure.kind === 'timeout' ? { kind: 'timeout', afterMs: deps.timeoutMs } : { kind: 'network', description: failure.description };
      }
      const decision = decide(outcome, attempts, retryPolicy, deps.random(), deps.now());
      if (decision.action === 'retry') {
        if (outcome.kind === 'response' && retryPolicy.rateLimitStatuses.has(outcome.status)) attempts.rateLimited++;
        else attempts.failures++;
        const code = parseDataverseError(errorText).code;
        deps.log('WARN', `${init.method} ${target.pathname}: ${decision.reason}${code ? ` (${code})` : ''}; retrying in ${(decision.delayMs / 1000).toFixed(1)} s`);
        await pause(deps, decision.delayMs);
        continue;
      }
      throw this.failure(outcome, decision.action === 'fail' ? decision : undefined, errorText, target, init.method);
    }
  }

  private renderHeaders(context: RequestContext): Record<string, string> {
    const rendered = (this.options.requestHeaders.render(context) ?? {}) as Record<string, unknown>;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(rendered)) if (v !== undefined && v !== null && v !== '') headers[k] = String(v);
    return headers;
  }

  private failure(outcome: Outcome, decision: { reason: string; transient: boolean } | undefined, errorText: string, target: URL, method: string): Error {
    const where = `${method} ${target.pathname}`;
    if (outcome.kind !== 'response') {
      const message = `Dataverse did not answer ${where} properly: ${decision?.reason ?? outcome.kind}`;
      return outcome.kind === 'network' && /not valid JSON|malformed/.test(outcome.description) ? new ResponseError(message) : new TransientError(message);
    }
    const { code, message } = parseDataverseError(errorText);
    if (decision?.transient) {
      return new TransientError(`Dataverse is busy or unavailable: ${where} ${decision.reason}${code ? ` (${code}: ${message ?? ''})` : ''}; try again later`, {
        internal: errorText.slice(0, 500),
      });
    }
    const described = describeDataverseError(code, this.options.errorContext, message ?? '');
    if (described) return new DataverseError(described, outcome.status, code, { internal: `${outcome.status} ${code}: ${message ?? ''}` });
    if (outcome.status === 401) {
      return new DataverseError(
        `Dataverse at ${this.options.errorContext.orgUrl} rejected the access token of app ${this.options.errorContext.clientId} twice: check that org_url is an environment of tenant ${this.options.errorContext.tenantId} (setup steps 3 and 4)`,
        401,
        code,
        { internal: errorText.slice(0, 500) },
      );
    }
    const detail = message ? `: ${message}` : '';
    return new DataverseError(`Dataverse refused ${where} (HTTP ${outcome.status}${code ? `, ${code}` : ''})${detail}`, outcome.status, code, {
      internal: errorText.slice(0, 500),
    });
  }
}
