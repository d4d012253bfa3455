/** Scriptable faults on both servers, the request log, the untrusted certificate, and close(). */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, GOOD_TENANT_ID, startEmulator, type Emulator } from './index';
import { fetchToken, json, readFixture, requestToken as requestTokenAt } from './testing';

let emu: Emulator;
let token: string;

const requestToken = () => requestTokenAt(emu);
const freshToken = () => fetchToken(emu);

function whoAmI(bearer = token): Promise<Response> {
  return fetch(`${emu.orgUrl}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${bearer}` } });
}

function msalApp(): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId: GOOD_CLIENT_ID, clientSecret: GOOD_CLIENT_SECRET, authority: `${emu.loginUrl}/${GOOD_TENANT_ID}`, knownAuthorities: [new URL(emu.loginUrl).host] },
  });
}

/** The `cause.code` of a rejected fetch (undici wraps socket errors). */
async function failureCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  emu = await startEmulator();
  token = await freshToken();
});
afterAll(() => emu.close());
afterEach(() => emu.faults.clear());

describe('throttle', () => {
  it.each([
    ['requests', 'error-throttle-429.json', '0x80072322'],
    ['execution', 'error-throttle-429-execution-time.json', '0x80072321'],
    ['concurrency', 'error-throttle-429-concurrency.json', '0x80072326'],
  ] as const)('%s: 429 with Retry-After and the exact service-protection body (%s), then the real answer', async (code, file, hex) => {
    const handle = emu.faults.add({ target: 'org', path: '/WhoAmI', times: 2, action: { kind: 'throttle', code, retryAfterSeconds: 7 } });
    for (let i = 0; i < 2; i++) {
      const res = await whoAmI();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
      expect(res.headers.get('odata-version')).toBe('4.0');
      const body = await json(res);
      expect(body).toEqual(readFixture(file));
      expect(body.error.code).toBe(hex);
    }
    expect((await whoAmI()).status).toBe(200);
    expect(handle.hits).toBe(2);
  });

  it('lets the first `skip` matches through and fires only on matching method and path', async () => {
    const handle = emu.faults.add({ target: 'org', method: 'get', path: /\/organizations\?/, skip: 1, action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 1 } });
    const orgs = () => fetch(`${emu.orgUrl}/api/data/v9.2/organizations?$select=name`, { headers: { authorization: `Bearer ${token}` } });
    expect((await whoAmI()).status).toBe(200); // path does not match
    expect((await orgs()).status).toBe(200); // skipped
    expect((await orgs()).status).toBe(429);
    expect((await orgs()).status).toBe(200); // used up
    expect([handle.seen, handle.hits]).toEqual([2, 1]);
  });

  it('throttles the token endpoint too', async () => {
    emu.faults.add({ target: 'login', method: 'POST', path: '/oauth2/v2.0/token', action: { kind: 'throttle', code: 'concurrency', retryAfterSeconds: 3 } });
    const res = await requestToken();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect((await requestToken()).status).toBe(200);
  });
});

describe('status', () => {
  it('replaces the answer with the given status, body and headers', async () => {
    const handle = emu.faults.add({ target: 'org', action: { kind: 'status', status: 503, body: { error: { code: '0x80040216', message: 'busy' } }, headers: { 'x-extra': 'yes' } } });
    const res = await whoAmI();
    expect(res.status).toBe(503);
    expect(res.headers.get('x-extra')).toBe('yes');
    expect(await json(res)).toEqual({ error: { code: '0x80040216', message: 'busy' } });
    expect(handle.hits).toBe(1);
    expect((await whoAmI()).status).toBe(200);
  });

  it('sends no body by default and a string body verbatim', async () => {
    emu.faults.add({ target: 'org', times: 2, action: { kind: 'status', status: 502 } });
    const empty = await whoAmI();
    expect([empty.status, await empty.text()]).toEqual([502, '']);
    emu.faults.clear();
    emu.faults.add({ target: 'org', action: { kind: 'status', status: 500, body: 'plain text' } });
    const text = await whoAmI();
    expect([text.status, await text.text()]).toEqual([500, 'plain text']);
  });

  it('makes MSAL fail on a token endpoint 500, and succeed on the next try', async () => {
    const handle = emu.faults.add({ target: 'login', path: '/oauth2/v2.0/token', action: { kind: 'status', status: 500 } });
    await expect(msalApp().acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] })).rejects.toThrow();
    expect(handle.hits).toBe(1);
    const result = await msalApp().acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] });
    expect(emu.issuedTokens()).toContain(result?.accessToken);
  });

  it('fires for ever with times: Infinity until removed', async () => {
    const handle = emu.faults.add({ target: 'org', times: Infinity, action: { kind: 'status', status: 500 } });
    for (let i = 0; i < 5; i++) expect((await whoAmI()).status).toBe(500);
    handle.remove();
    expect((await whoAmI()).status).toBe(200);
    expect(handle.hits).toBe(5);
  });
});

describe('broken connections and bodies', () => {
  it('reset: fetch rejects with ECONNRESET before any response', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'reset' } });
    expect(await failureCode(whoAmI())).toBe('ECONNRESET');
    expect(emu.log[emu.log.length - 1]).toMatchObject({ target: 'org', status: 0, faulted: 'reset' });
    expect((await whoAmI()).status).toBe(200);
  });

  it('reset after bytes: headers arrive, reading the body fails', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'reset', afterBytes: 20 } });
    const res = await whoAmI();
    expect(res.status).toBe(200);
    expect(await failureCode(res.text())).toBe('ECONNRESET');
  });

  it('reset on the token endpoint makes MSAL fail', async () => {
    emu.faults.add({ target: 'login', method: 'POST', action: { kind: 'reset' } });
    await expect(msalApp().acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] })).rejects.toThrow();
  });

  it('truncate: the full Content-Length is announced, half the body arrives, JSON parsing fails', async () => {
    const full = await whoAmI();
    const length = (await full.text()).length;
    emu.faults.add({ target: 'org', action: { kind: 'truncate' } });
    const res = await whoAmI();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(length));
    await expect(res.json()).rejects.toThrow();
  });

  it('malformed: a 200 that claims JSON but is not', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'malformed' } });
    const res = await whoAmI();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    // undici's errors come from another realm than jest's globals: match the message, not the class
    await expect(res.json()).rejects.toThrow(/is not valid JSON/);
  });

  it('delay: answers normally after the delay', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'delay', ms: 250 } });
    const started = Date.now();
    const res = await whoAmI();
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    const again = Date.now();
    await whoAmI();
    expect(Date.now() - again).toBeLessThan(200);
  });
});

describe('expireTokens', () => {
  it('revokes every issued token: the request itself and later ones 401 until a new token is fetched', async () => {
    const mine = await freshToken();
    emu.faults.add({ target: 'org', action: { kind: 'expireTokens' } });
    const res = await whoAmI(mine);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error=invalid_token');
    expect((await whoAmI(mine)).status).toBe(401);
    expect((await whoAmI(await freshToken())).status).toBe(200);
    token = await freshToken(); // the suite's shared token was revoked too
  });
});

describe('request log', () => {
  it('records every request with target, method, raw path, lower-cased headers, POST body, status and fault', async () => {
    const start = emu.log.length;
    await requestToken();
    emu.faults.add({ target: 'org', path: 'organizations', action: { kind: 'status', status: 500 } });
    await fetch(`${emu.orgUrl}/api/data/v9.2/organizations?$select=name`, { headers: { Authorization: `Bearer ${token}`, Prefer: 'odata.maxpagesize=2' } });
    await whoAmI();

    const entries = emu.log.slice(start);
    expect(entries.map((e) => e.seq)).toEqual([start + 1, start + 2, start + 3]);
    expect(entries[0]).toMatchObject({ target: 'login', method: 'POST', path: `/${GOOD_TENANT_ID}/oauth2/v2.0/token`, status: 200 });
    expect(new URLSearchParams(entries[0].body).get('client_secret')).toBe(GOOD_CLIENT_SECRET);
    expect(entries[1]).toMatchObject({ target: 'org', method: 'GET', path: '/api/data/v9.2/organizations?$select=name', status: 500, faulted: 'status' });
    expect(entries[1].headers).toMatchObject({ authorization: `Bearer ${token}`, prefer: 'odata.maxpagesize=2', host: new URL(emu.orgUrl).host });
    expect(entries[1].body).toBeUndefined();
    expect(entries[2]).toMatchObject({ target: 'org', path: '/api/data/v9.2/WhoAmI', status: 200 });
    expect(entries[2].faulted).toBeUndefined();
    expect(emu.requests('login').every((e) => e.target === 'login')).toBe(true);
    expect(emu.requests('org')).toContainEqual(entries[2]);
    expect(emu.requests()).toHaveLength(emu.log.length);
  });
});

describe('TLS', () => {
  it('fails the handshake on the untrusted org url with a self-signed certificate error', async () => {
    expect(await failureCode(fetch(`${emu.untrustedOrgUrl}/api/data/v9.2/WhoAmI`))).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(emu.requests('untrusted')).toHaveLength(0);
  });
});

describe('close', () => {
  it('closes promptly despite open keep-alive connections and in-flight delays', async () => {
    const other = await startEmulator();
    const t = await fetchToken(other);
    expect((await fetch(`${other.orgUrl}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(200);
    other.faults.add({ target: 'org', action: { kind: 'delay', ms: 60_000 } });
    const pending = fetch(`${other.orgUrl}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${t}` } }).catch((err: Error) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toHaveProperty('message', 'fetch failed');
  });
});
