import { setupGuideDescriber } from '../../connector/dataverse/error-messages';
/**
 * The throttle gate against the HTTPS emulator, through real MSAL, real fetch and real TLS: a
 * 429's Retry-After holds back a second, concurrent request, and concurrent requests share one
 * token. Those are in-process rather than through the CLI: until the scheduler reads streams
 * concurrently (issue 11), `read` never has two requests that could overlap. The emulator's log
 * has the arrival time of every request, so the waits are measured where the service would see
 * them. The built CLI then shows `max_parallel_requests` and the execution-time cut end to end.
 */
import { MsalAuthenticator } from '../../connector/http/authenticator';
import { HttpRequester, type HttpDeps } from '../../connector/http/requester';
import { DEFAULT_RETRY_POLICY } from '../../connector/http/retry-policy';
import { ThrottleGate } from '../../connector/http/throttle-gate';
import { startEmulator, type Emulator } from '../emulator';
import { ofType, records, runCli, writeJson } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.faults.clear();
  emulator.log.length = 0;
});

const API = '/api/data/v9.2';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Requesters of one process: one authenticator, and one gate when `gate` is given; `fetch` is the Dataverse requests' (the token's is the real one). */
function processParts(gate: ThrottleGate | undefined, onLog: (message: string) => void = () => undefined, fetch: typeof globalThis.fetch = globalThis.fetch) {
  const config = emulator.config();
  const deps: HttpDeps = {
    fetch,
    sleep,
    now: Date.now,
    random: Math.random,
    log: (_level, message) => onLog(message),
    timeoutMs: 10_000,
    reachedHosts: new Set(),
    gate,
  };
  const describer = setupGuideDescriber({ orgUrl: config.org_url, tenantId: config.tenant_id, clientId: config.client_id, authorityHost: emulator.loginUrl });
  const authenticator = new MsalAuthenticator({
    describer,
    orgUrl: config.org_url,
    tenantId: config.tenant_id,
    clientId: config.client_id,
    clientSecret: config.client_secret,
    authorityHost: config.authority_host ?? emulator.loginUrl,
    fetch: globalThis.fetch,
    sleep,
    now: Date.now,
  });
  const constant = (value: unknown) => ({ render: () => value });
  const requester = (path: string) =>
    new HttpRequester({
      urlBase: constant(`${config.org_url}${API}`),
      path: constant(path),
      requestParameters: constant({}),
      requestHeaders: constant({ Accept: 'application/json' }),
      authenticator,
      retryPolicy: DEFAULT_RETRY_POLICY,
      describer,
      deps,
    });
  return { requester };
}

/**
 * GET WhoAmI answers 429 Retry-After 1 once; the moment the connector logs that it will retry,
 * a second request (GET organizations) starts. Returns the emulator's org log.
 */
async function throttledPair(gate: ThrottleGate | undefined) {
  emulator.faults.add({ target: 'org', path: `${API}/WhoAmI`, times: 1, action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 1 } });
  let second: Promise<unknown> | undefined;
  const { requester } = processParts(gate, (message) => {
    if (message.includes('retrying in')) second ??= requester('organizations').send({});
  });
  await requester('WhoAmI').send({});
  await second;
  const org = emulator.requests('org');
  const throttled = org.find((e) => e.status === 429)!;
  return { org, throttled, others: org.filter((e) => e !== throttled) };
}

test("a 429's Retry-After holds back a concurrent request: nothing reaches the service before it has passed", async () => {
  const gate = new ThrottleGate({ sleep, now: Date.now, maxParallelRequests: 2 });
  const { org, throttled, others } = await throttledPair(gate);
  expect(org.map((e) => [e.path, e.status])).toEqual([
    [`${API}/WhoAmI`, 429],
    expect.anything(),
    expect.anything(),
  ]);
  expect(others.map((e) => [e.path, e.status]).sort()).toEqual([
    [`${API}/WhoAmI`, 200],
    [`${API}/organizations`, 200],
  ]);
  for (const entry of others) expect(entry.at - throttled.at).toBeGreaterThanOrEqual(1000);
  expect(gate.inFlight).toBe(0);
});

test('without the gate the same second request goes out during the pause (the check above can fail)', async () => {
  const { throttled, others } = await throttledPair(undefined);
  const organizations = others.find((e) => e.path === `${API}/organizations`)!;
  expect(organizations.at - throttled.at).toBeLessThan(1000);
});

test('10 concurrent requests through one authenticator cause exactly 1 token POST, and never more than the limit in flight', async () => {
  const gate = new ThrottleGate({ sleep, now: Date.now, maxParallelRequests: 3 });
  let most = 0;
  const original = globalThis.fetch;
  let inFlight = 0;
  // Counts Dataverse requests between sending and the end of the body, as the client sees them.
  const counting = (async (input: string | URL | Request, init?: RequestInit) => {
    const isOrg = String(input).startsWith(emulator.orgUrl);
    if (isOrg) most = Math.max(most, ++inFlight);
    try {
      const response = await original(input, init);
      const text = await response.text();
      return new Response(text, { status: response.status, headers: response.headers });
    } finally {
      if (isOrg) inFlight--;
    }
  }) as typeof fetch;
  const { requester } = processParts(gate, undefined, counting);
  const who = requester('WhoAmI');
  const answers = await Promise.all(Array.from({ length: 10 }, () => who.send({})));
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
  expect(emulator.requests('login').filter((e) => e.method === 'POST').map((e) => e.path.split('?')[0])).toEqual([`/${emulator.config().tenant_id}/oauth2/v2.0/token`]);
  expect(emulator.requests('org').map((e) => e.path)).toEqual(Array(10).fill(`${API}/WhoAmI`));
  expect(most).toBe(3);
});

describe('the CLI: max_parallel_requests and the execution-time limit', () => {
  const catalog = () => writeJson('throttle-gate-catalog.json', { streams: [{ stream: { name: 'organization', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] });
  async function readWith(code: 'execution' | 'requests', extra: Record<string, unknown>) {
    emulator.faults.add({ target: 'org', path: `${API}/organizations`, times: 1, action: { kind: 'throttle', code, retryAfterSeconds: 1 } });
    const config = writeJson(`throttle-gate-${Math.random()}.json`, emulator.config(extra));
    const result = await runCli(['read', '--config', config, '--catalog', catalog()]);
    expect(result.code).toBe(0);
    expect(records(result.messages, 'organization')).toHaveLength(1);
    return ofType(result.messages, 'LOG').filter((m) => m.log.level === 'WARN').map((m) => m.log.message);
  }

  test('a 429 0x80072321 halves the configured limit and says so, then the request is retried after its Retry-After', async () => {
    expect(await readWith('execution', { max_parallel_requests: 4 })).toEqual([
      'Dataverse answered 429 0x80072321 (execution time over the limit): parallel requests lowered from 4 to 2; raised again by 1 after each 2 successes',
      `GET ${API}/organizations: HTTP 429, Retry-After 1 s (0x80072321); retrying in 1.0 s`,
    ]);
  });

  test('a 429 of the request-count limit (0x80072322) only waits', async () => {
    expect(await readWith('requests', { max_parallel_requests: 4 })).toEqual([`GET ${API}/organizations: HTTP 429, Retry-After 1 s (0x80072322); retrying in 1.0 s`]);
  });
});
