/** probeOrgHost: one credential-free GET of the Web API root; only a host failure (DNS, TLS, refused) fails the check. */
import { UnreachableHostError } from '../../connector/errors';
import { probeOrgHost } from '../../connector/http/reachability';

const ORG = 'https://org.crm4.dynamics.com';
const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });

describe('probeOrgHost', () => {
  test('a 401 answer passes: one GET of /api/data/v9.2/, no redirects followed, no credentials, the body released', async () => {
    const calls: Array<[string, RequestInit]> = [];
    let cancelled = 0;
    const fetchFn = (async (url: string, init: RequestInit) => {
      calls.push([url, init]);
      const response = new Response('{"error":{"code":"0x80072560"}}', { status: 401 });
      const cancel = response.body!.cancel.bind(response.body);
      response.body!.cancel = async (reason?: unknown) => (cancelled++, cancel(reason));
      return response;
    }) as unknown as typeof fetch;
    await expect(probeOrgHost(ORG, fetchFn, 1000)).resolves.toBeUndefined();
    expect(calls.map(([url, init]) => [url, init.method, init.redirect, init.headers, init.signal instanceof AbortSignal])).toEqual([[`${ORG}/api/data/v9.2/`, 'GET', 'manual', undefined, true]]);
    expect(cancelled).toBe(1);
  });

  test.each<[string, string]>([
    ['ENOTFOUND', "Cannot reach https://org.crm4.dynamics.com (host name not found (ENOTFOUND)): check org_url (setup step 4) and this machine's network access to it"],
    ['ECONNREFUSED', "Cannot reach https://org.crm4.dynamics.com (connection refused (ECONNREFUSED)): check org_url (setup step 4) and this machine's network access to it"],
    ['CERT_HAS_EXPIRED', 'The TLS certificate of https://org.crm4.dynamics.com is not trusted (TLS failure (CERT_HAS_EXPIRED)): check org_url (setup step 4), or the proxy/CA setup of this machine'],
  ])('%s fails the check with the customer message', async (code, message) => {
    const fetchFn = (async () => Promise.reject(fetchFailed(code))) as unknown as typeof fetch;
    const err = await probeOrgHost(ORG, fetchFn, 1000).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnreachableHostError);
    expect((err as Error).message).toBe(message);
  });

  test('a reset is not conclusive: the probe passes and the token request says more', async () => {
    const fetchFn = (async () => Promise.reject(fetchFailed('ECONNRESET'))) as unknown as typeof fetch;
    await expect(probeOrgHost(ORG, fetchFn, 1000)).resolves.toBeUndefined();
  });

  test('no answer within the deadline is not conclusive either, and the attempt is aborted', async () => {
    let signal: AbortSignal | undefined;
    const fetchFn = ((_url: string, init: RequestInit) => {
      signal = init.signal!;
      return new Promise(() => undefined);
    }) as unknown as typeof fetch;
    await expect(probeOrgHost(ORG, fetchFn, 20)).resolves.toBeUndefined();
    expect(signal!.aborted).toBe(true);
  });
});
