/**
 * FetchNetworkModule: MSAL's GETs and POSTs go through the injected fetch and the one retry loop;
 * the final HTTP answer goes back to MSAL as it came, and a network failure is rethrown as fetch threw it.
 */
import { FetchNetworkModule, type NetworkModuleOptions } from '../../connector/http/msal-network';
import { DEFAULT_RETRY_POLICY } from '../../connector/http/retry-policy';

const TOKEN_URL = 'https://login.example/tenant-1/oauth2/v2.0/token';
const CONFIG_URL = 'https://login.example/tenant-1/v2.0/.well-known/openid-configuration';

type Answer = Response | Error | 'hang';

/** A module over scripted answers, recording each fetch, sleep and log line. */
function moduleWith(answers: Answer[], extra: Partial<NetworkModuleOptions> = {}) {
  const calls: Array<{ url: string; init: RequestInit }> = [];
  const sleeps: number[] = [];
  const logs: string[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no answer scripted');
    if (answer === 'hang') return new Promise(() => undefined);
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as typeof fetch;
  const module = new FetchNetworkModule({
    fetch: fetchFn,
    timeoutMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
    now: () => 0,
    random: () => 0.999999999,
    log: (level, message) => void logs.push(`${level} ${message}`),
    ...extra,
  });
  return { module, calls, sleeps, logs };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
const fetchFailed = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });

describe('FetchNetworkModule', () => {
  test('a GET answered 200 comes back with lower-cased headers and the parsed body; the host counts as reached', async () => {
    const reachedHosts = new Set<string>();
    const { module, calls, logs } = moduleWith([json(200, { token_endpoint: TOKEN_URL }, { 'X-Ms-Request-Id': 'r1' })], { reachedHosts });
    const response = await module.sendGetRequestAsync(CONFIG_URL, { headers: { Accept: 'application/json' } });
    expect(response).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'x-ms-request-id': 'r1' }, body: { token_endpoint: TOKEN_URL } });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe(CONFIG_URL);
    expect([calls[0]!.init.method, calls[0]!.init.headers, calls[0]!.init.body, calls[0]!.init.redirect]).toEqual(['GET', { Accept: 'application/json' }, undefined, 'manual']);
    expect([...reachedHosts]).toEqual(['https://login.example']);
    expect(module.lastExchange).toEqual({ url: CONFIG_URL, status: 200, retryAfter: null, bodyText: JSON.stringify({ token_endpoint: TOKEN_URL }) });
    expect(logs).toEqual(['DEBUG HTTP GET /tenant-1/v2.0/.well-known/openid-configuration -> 200 in 0 ms, attempt 1']);
  });

  test('a POST sends MSAL\'s headers and body as given', async () => {
    const { module, calls } = moduleWith([json(200, { access_token: 'tok', expires_in: 3599 })]);
    const response = await module.sendPostRequestAsync(TOKEN_URL, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(response.body).toEqual({ access_token: 'tok', expires_in: 3599 });
    expect([calls[0]!.init.method, calls[0]!.init.headers, calls[0]!.init.body]).toEqual(['POST', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'grant_type=client_credentials']);
  });

  test('a 503 and a 429 are retried by the policy (Retry-After honoured) before MSAL sees the 200', async () => {
    const { module, calls, sleeps, logs } = moduleWith([json(503, {}), json(429, {}, { 'Retry-After': '3' }), json(200, { ok: true })]);
    expect((await module.sendPostRequestAsync(TOKEN_URL, { body: 'x' })).body).toEqual({ ok: true });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([1000, 3000]);
    expect(logs.filter((l) => l.startsWith('WARN'))).toEqual([
      'WARN POST /tenant-1/oauth2/v2.0/token: HTTP 503; retrying in 1.0 s',
      'WARN POST /tenant-1/oauth2/v2.0/token: HTTP 429, Retry-After 3 s; retrying in 3.0 s',
    ]);
  });

  test('a final error answer is handed to MSAL with its body (the AADSTS error), not thrown', async () => {
    const aadsts = { error: 'invalid_client', error_codes: [7000215], error_description: 'AADSTS7000215: Invalid client secret provided.' };
    const { module, calls } = moduleWith([json(401, aadsts)]);
    expect(await module.sendPostRequestAsync(TOKEN_URL, { body: 'x' })).toEqual({ status: 401, headers: {}, body: aadsts });
    expect(calls).toHaveLength(1);
    expect(module.lastExchange?.status).toBe(401);
  });

  test('5xx until the retries are spent: the last answer goes to MSAL', async () => {
    const { module, calls, sleeps } = moduleWith([json(500, { n: 1 }), json(500, { n: 2 }), json(500, { n: 3 })], { policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 2 } });
    expect(await module.sendGetRequestAsync(CONFIG_URL)).toEqual({ status: 500, headers: {}, body: { n: 3 } });
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  test('a body that is not a JSON object reaches MSAL as {}, the status still telling', async () => {
    const { module } = moduleWith([new Response('<html>proxy error</html>', { status: 502 }), new Response('', { status: 200 }), new Response('"text"', { status: 400 })], {
      policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
    });
    expect(await module.sendGetRequestAsync(CONFIG_URL)).toEqual({ status: 502, headers: {}, body: {} });
    expect((await module.sendGetRequestAsync(CONFIG_URL)).body).toEqual({});
    expect(await module.sendGetRequestAsync(CONFIG_URL)).toEqual({ status: 400, headers: {}, body: {} });
  });

  test('an unknown host on first contact is not retried: fetch\'s own error is rethrown, classified as a host failure', async () => {
    const error = fetchFailed('ENOTFOUND');
    const { module, calls, logs } = moduleWith([error]);
    await expect(module.sendGetRequestAsync(CONFIG_URL)).rejects.toBe(error);
    expect(calls).toHaveLength(1);
    expect(module.lastFailure).toBe(error);
    expect(module.lastGiveUp).toEqual({ failure: { kind: 'dns', code: 'ENOTFOUND', description: 'host name not found (ENOTFOUND)' }, hostFailure: true });
    expect(logs).toEqual(['DEBUG HTTP GET /tenant-1/v2.0/.well-known/openid-configuration -> no answer (dns) in 0 ms, attempt 1']);
  });

  test('after the host answered once, a refused connection is an outage: retried, then rethrown as not a host failure', async () => {
    const reachedHosts = new Set(['https://login.example']);
    const first = fetchFailed('ECONNREFUSED');
    const second = fetchFailed('ECONNREFUSED');
    const { module, calls, sleeps } = moduleWith([first, second], { reachedHosts, policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 1 } });
    await expect(module.sendPostRequestAsync(TOKEN_URL, { body: 'x' })).rejects.toBe(second);
    expect(calls).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
    expect(module.lastGiveUp).toEqual({ failure: { kind: 'refused', code: 'ECONNREFUSED', description: 'connection refused (ECONNREFUSED)' }, hostFailure: false });
  });

  test('a reset is retried and a later answer clears the failure', async () => {
    const { module, calls } = moduleWith([fetchFailed('ECONNRESET'), json(200, { ok: 1 })]);
    expect((await module.sendGetRequestAsync(CONFIG_URL)).body).toEqual({ ok: 1 });
    expect(calls).toHaveLength(2);
    expect(module.lastFailure).toBeUndefined();
    expect(module.lastGiveUp).toBeUndefined();
  });

  test('an attempt without an answer is cut at the deadline (the smaller of MSAL\'s timeout and ours) and retried', async () => {
    const { module, calls, logs } = moduleWith(['hang', json(200, { ok: 1 })], { timeoutMs: 60_000 });
    expect((await module.sendGetRequestAsync(CONFIG_URL, undefined, 20)).body).toEqual({ ok: 1 });
    expect(calls).toHaveLength(2);
    expect(calls[0]!.init.signal!.aborted).toBe(true);
    expect(logs.filter((l) => l.startsWith('WARN'))).toEqual(['WARN GET /tenant-1/v2.0/.well-known/openid-configuration: no complete response within 0.02 s; retrying in 1.0 s']);
  });

  test('each call starts clean: the previous call\'s exchange and failure are forgotten', async () => {
    // The host answered the first call, so the second call's DNS failure counts as an outage (retried, here 0 times).
    const { module } = moduleWith([json(400, { error: 'x' }), fetchFailed('ENOTFOUND')], { policy: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 } });
    await module.sendGetRequestAsync(CONFIG_URL);
    expect(module.lastExchange?.status).toBe(400);
    await expect(module.sendGetRequestAsync(CONFIG_URL)).rejects.toThrow('fetch failed');
    expect(module.lastExchange).toBeUndefined();
    expect(module.lastGiveUp).toEqual({ failure: { kind: 'dns', code: 'ENOTFOUND', description: 'host name not found (ENOTFOUND)' }, hostFailure: false });
  });
});
