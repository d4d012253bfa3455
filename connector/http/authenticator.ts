/**
 * Service-to-service authentication with MSAL client credentials. MSAL caches the token until
 * five minutes before expiry; `invalidate()` makes the next call skip that cache (after a 401).
 * Failures come back as AuthenticationError / UnreachableHostError with the setup step to fix;
 * 5xx, 429, resets and timeouts of the token endpoint are retried inside the network module by the
 * shared retry loop, so MSAL sees only the final answer.
 */
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { AuthenticationError, TransientError } from '../errors';
import type { Redactor } from '../protocol/redactor';
import type { ErrorDescriber } from './error-describer';
import { FetchNetworkModule } from './msal-network';
import { classifyNetworkError, isHostFailure, unreachableHostError } from './network-errors';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

/** What the requester needs of an authenticator. */
export interface Authenticator {
  /** The Authorization header value for the next request. */
  authorization(): Promise<string>;
  /** Forget the cached token: the next `authorization()` fetches a new one. */
  invalidate(): void;
}

export interface MsalAuthenticatorOptions {
  orgUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authorityHost: string;
  /** The customer wording of the token endpoint's error numbers (injected: this layer knows no setup guide). */
  describer: Pick<ErrorDescriber, 'describeTokenError'>;
  redactor?: Redactor;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  random?: () => number;
  retryPolicy?: RetryPolicy;
  timeoutMs?: number;
  /** Aborted when the process is told to stop: a token wait ends at once. */
  signal?: AbortSignal;
  log?: (level: 'INFO' | 'WARN' | 'DEBUG', message: string) => void;
  /** Origins that answered in this run (shared with the requester). */
  reachedHosts?: Set<string>;
}

/** Hosts MSAL knows by itself; any other authority host must be declared in knownAuthorities. */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.windows.net',
  'login.microsoft.com',
  'login.usgovcloudapi.net',
]);

interface MsalLikeError {
  errorCode?: string;
  errorMessage?: string;
  status?: number;
  message?: string;
}

export class MsalAuthenticator implements Authenticator {
  private app: ConfidentialClientApplication;
  private readonly configuration: Configuration;
  private readonly network: FetchNetworkModule;
  /** The authority's origin, as messages name it. */
  private readonly authority: string;
  private skipCache = false;

  constructor(private readonly options: MsalAuthenticatorOptions) {
    const authorityUrl = new URL(options.authorityHost);
    this.network = new FetchNetworkModule({
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? 120_000,
      policy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      sleep: options.sleep,
      now: options.now,
      random: options.random ?? Math.random,
      signal: options.signal,
      log: options.log,
      reachedHosts: options.reachedHosts,
    });
    this.configuration = {
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `${authorityUrl.origin}/${options.tenantId}`,
        knownAuthorities: MICROSOFT_AUTHORITY_HOSTS.has(authorityUrl.hostname) ? [] : [authorityUrl.host],
      },
      system: { networkClient: this.network, loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false } },
    };
    this.app = new ConfidentialClientApplication(this.configuration);
    this.authority = authorityUrl.origin;
    options.redactor?.add(options.clientSecret);
  }

  invalidate(): void {
    this.skipCache = true;
    this.cached = undefined;
  }

  /** The header of the current token, kept until five minutes before it expires (MSAL's own margin). */
  private cached?: { header: string; refreshAt: number };

  async authorization(): Promise<string> {
    // One token serves every page of a sync: asking MSAL for each page costs ~1 ms of CPU each.
    if (this.cached && this.options.now() < this.cached.refreshAt) return this.cached.header;
    // Concurrent callers share one token request.
    this.pending ??= this.acquire().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private pending?: Promise<string>;

  /** One token request; its 5xx, 429, resets and timeouts are retried inside the network module. */
  private async acquire(): Promise<string> {
    let result;
    try {
      result = await this.app.acquireTokenByClientCredential({ scopes: [`${this.options.orgUrl}/.default`], skipCache: this.skipCache });
    } catch (err) {
      // MSAL remembers a 429 or 5xx and refuses further calls for a while; the retry decisions
      // are ours, so the next call starts from a fresh client (its token cache was empty anyway).
      this.app = new ConfidentialClientApplication(this.configuration);
      throw this.explain(err);
    }
    if (!result?.accessToken) {
      // MSAL can hand back an empty result for an error answer it could not parse (an HTML 500):
      // what the token endpoint said decides, as for a thrown error.
      const status = this.network.lastExchange?.status;
      if (status !== undefined && (status >= 500 || status === 429)) {
        // MSAL throttles this client after that answer too: start the next call from a fresh one.
        this.app = new ConfidentialClientApplication(this.configuration);
        throw this.explain(new Error(`HTTP ${status} without a token`));
      }
      throw new AuthenticationError('Microsoft Entra ID returned no access token');
    }
    this.skipCache = false;
    this.options.redactor?.add(result.accessToken);
    const header = `Bearer ${result.accessToken}`;
    this.cached = { header, refreshAt: refreshTime(result.expiresOn, this.options.now()) };
    return header;
  }

  /** Turns whatever MSAL threw into one of our errors, from what our network module saw when MSAL hides the cause. */
  private explain(err: unknown): Error {
    if (err instanceof AuthenticationError) return err;
    const e = err as MsalLikeError;
    const exchange = this.network.lastExchange;
    const internal = `${e.errorCode ?? 'error'}: ${(e.errorMessage ?? e.message ?? String(err)).split('\n')[0]}`;
    // The status Entra answered decides first: a 5xx or 429 is transient whatever its body says.
    const status = exchange?.status ?? e.status;
    if (typeof status === 'number' && (status >= 500 || status === 429)) {
      return new TransientError(`Microsoft Entra ID at ${this.authority} is not available (HTTP ${status}); try again later`, { internal });
    }
    if (this.network.lastFailure !== undefined) {
      const failure = this.network.lastGiveUp?.failure ?? classifyNetworkError(this.network.lastFailure);
      if (this.network.lastGiveUp?.hostFailure ?? isHostFailure(failure)) {
        const setting = { label: `the authority host ${this.authority}`, check: 'authority_host' };
        return unreachableHostError(this.authority, failure, this.network.lastFailure, setting);
      }
      return new TransientError(`Microsoft Entra ID at ${this.authority} did not answer (${failure.description}); try again later`, { internal });
    }
    const text = `${exchange?.bodyText ?? ''} ${e.errorMessage ?? ''} ${e.message ?? ''}`;
    const aadsts = /AADSTS(\d+)/.exec(text);
    if (aadsts) {
      const code = Number(aadsts[1]);
      const message = this.options.describer.describeTokenError(code) ?? `Microsoft Entra ID refused the token request (AADSTS${code}); see https://login.microsoftonline.com/error?code=${code}`;
      return new AuthenticationError(message, code, { internal });
    }
    if (exchange && /openid-configuration/.test(exchange.url)) {
      // MSAL says only "could not resolve endpoints"; the answer it got says which part is wrong.
      return new AuthenticationError(
        `The authority ${this.authority}/${this.options.tenantId} did not return a usable OpenID configuration (HTTP ${exchange.status}): check tenant_id (setup step 1) and authority_host`,
        undefined,
        { internal },
      );
    }
    return new AuthenticationError(`Microsoft Entra ID refused the token request: ${e.errorCode ?? 'unknown error'}`, undefined, { internal });
  }
}

/** Keep a token at least this long even when its expiry is missing or nonsense, so a broken `expires_in` cannot cost a token request per page. */
const MIN_TOKEN_REUSE_MS = 5 * 60_000;

/**
 * When to fetch the next token: five minutes before expiry (MSAL's own margin), but never sooner
 * than MIN_TOKEN_REUSE_MS from now. A token that really expired earlier is replaced on its first 401.
 */
export function refreshTime(expiresOn: Date | null | undefined, now: number): number {
  const expiresAt = expiresOn?.getTime();
  const refreshAt = typeof expiresAt === 'number' && Number.isFinite(expiresAt) ? expiresAt - 5 * 60_000 : Number.NaN;
  return Number.isFinite(refreshAt) && refreshAt >= now + MIN_TOKEN_REUSE_MS ? refreshAt : now + MIN_TOKEN_REUSE_MS;
}
