/**
 * MSAL's network calls through our injected fetch. Two reasons: tests and the emulator see the
 * same client as every other request, and the last answer (status, Retry-After, body) and the last
 * network failure stay visible, which MSAL's own errors hide (a 429's Retry-After, the AADSTS body
 * of a failed openid-configuration GET, the TLS code of a failed connection).
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export interface LastExchange {
  url: string;
  status: number;
  retryAfter: string | null;
  bodyText: string;
}

export class FetchNetworkModule implements INetworkModule {
  lastExchange?: LastExchange;
  lastFailure?: unknown;

  constructor(
    private readonly fetchFn: typeof fetch,
    private readonly timeoutMs: number,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'GET', options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>(url, 'POST', options);
  }

  private async send<T>(url: string, method: 'GET' | 'POST', options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    this.lastExchange = undefined;
    this.lastFailure = undefined;
    try {
      const response = await this.fetchFn(url, {
        method,
        headers: options?.headers,
        body: options?.body,
        signal: AbortSignal.timeout(timeout ?? this.timeoutMs),
        redirect: 'manual',
      });
      const bodyText = await response.text();
      this.lastExchange = { url, status: response.status, retryAfter: response.headers.get('retry-after'), bodyText };
      const headers: Record<string, string> = {};
      response.headers.forEach((value, key) => (headers[key.toLowerCase()] = value));
      let body: unknown = {};
      try {
        body = bodyText === '' ? {} : JSON.parse(bodyText);
      } catch {
        body = {};
      }
      return { headers, body: body as T, status: response.status };
    } catch (err) {
      this.lastFailure = err;
      throw err;
    }
  }
}
