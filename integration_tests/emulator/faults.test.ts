/** Scriptable faults on both servers, the request log, the untrusted certificate, and close(). */
import { ConfidentialClientApplication } from '@azure/msal-node';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { DEFAULT_TOKEN_LIFETIME_SECONDS, ECHO_TOKEN_BODY_LENGTH, ECHO_TOKEN_OFFSET, GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, GOOD_TENANT_ID, WRONG_CLIENT_SECRET, startEmulator, type Emulator, type RequestLogEntry } from './index';
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

/** What arrived for one request made with node:https (no pooling unless an agent is given). */
interface Wire {
  /** Client clock: request sent, response head, each body chunk, end or failure. */
  started: number;
  status?: number;
  headersAt?: number;
  headers?: IncomingHttpHeaders;
  rawHeaders?: string[];
  chunks: Array<{ at: number; bytes: Buffer }>;
  /** When the body completed ('end'); absent when it never did. */
  endedAt?: number;
  /** The error code or 'aborted' (the test gave up after `abortAfterMs`). */
  failure?: string;
}

interface WireOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Give up (destroy the request) this long after sending, if it has not completed. */
  abortAfterMs?: number;
  agent?: https.Agent;
}

function wire(url: string, options: WireOptions = {}): Promise<Wire> {
  return new Promise((resolve) => {
    const result: Wire = { started: Date.now(), chunks: [] };
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      resolve(result);
    };
    const req = https.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      result.status = res.statusCode;
      result.headersAt = Date.now();
      result.headers = res.headers;
      result.rawHeaders = res.rawHeaders;
      res.on('data', (bytes: Buffer) => result.chunks.push({ at: Date.now(), bytes }));
      res.on('end', () => {
        result.endedAt = Date.now();
        finish();
      });
      res.on('error', () => undefined);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      result.failure ??= err.code ?? err.message;
      finish();
    });
    req.on('close', () => {
      if (result.endedAt !== undefined) return;
      result.failure ??= 'closed';
      finish();
    });
    if (options.abortAfterMs !== undefined) {
      timer = setTimeout(() => {
        result.failure = 'aborted';
        req.destroy();
      }, options.abortAfterMs);
    }
    req.end(options.body);
  });
}

const body = (w: Wire) => Buffer.concat(w.chunks.map((c) => c.bytes)).toString('utf8');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const whoAmIUrl = (e: Emulator = emu) => `${e.orgUrl}/api/data/v9.2/WhoAmI`;
const auth = (bearer = token) => ({ authorization: `Bearer ${bearer}` });
const lastEntry = (): RequestLogEntry => emu.log[emu.log.length - 1];
const liveTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
/**
 * Timers alive in this process (jest's, undici's, the emulator's): the fewest of five looks 50 ms
 * apart, since undici re-arms its own timer now and then. A timer the emulator left armed stays
 * through all five.
 */
async function settledTimers(): Promise<number> {
  let fewest = liveTimers();
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    fewest = Math.min(fewest, liveTimers());
  }
  return fewest;
}

/** Whether a new TCP connection to the url's port is refused. */
function connectResult(url: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
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

describe('status covers exact bodies and headers', () => {
  it.each([
    ['a string', '{"value":null}', '{"value":null}'],
    ['an object', { value: {} }, '{"value":{}}'],
  ] as const)('a 200 with %s body goes out byte for byte with the Dataverse JSON headers', async (_, given, sent) => {
    emu.faults.add({ target: 'org', action: { kind: 'status', status: 200, body: given } });
    const w = await wire(whoAmIUrl(), { headers: auth() });
    expect(w.status).toBe(200);
    expect(body(w)).toBe(sent);
    expect(w.headers).toMatchObject({ 'content-type': 'application/json; odata.metadata=minimal', 'content-length': String(sent.length), 'odata-version': '4.0' });
    expect(lastEntry()).toMatchObject({ faulted: 'status', status: 200, sentBytes: sent.length });
  });

  it.each(['Content-Type', 'content-type'])('an HTML 500 on the token endpoint carries one Content-Type, text/html (given as %s)', async (name) => {
    const html = '<html><head><title>500 Internal Server Error</title></head><body>Internal Server Error</body></html>';
    emu.faults.add({ target: 'login', path: '/oauth2/v2.0/token', action: { kind: 'status', status: 500, body: html, headers: { [name]: 'text/html' } } });
    const form = new URLSearchParams({ client_id: GOOD_CLIENT_ID, client_secret: GOOD_CLIENT_SECRET, scope: `${emu.orgUrl}/.default`, grant_type: 'client_credentials' });
    const w = await wire(`${emu.loginUrl}/${GOOD_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    expect(w.status).toBe(500);
    expect(body(w)).toBe(html);
    const contentTypes = (w.rawHeaders ?? []).filter((_, i, all) => i % 2 === 0 && all[i].toLowerCase() === 'content-type');
    expect(contentTypes).toHaveLength(1);
    expect(w.headers?.['content-type']).toBe('text/html');
    emu.faults.add({ target: 'login', path: '/oauth2/v2.0/token', action: { kind: 'status', status: 500, body: html, headers: { [name]: 'text/html' } } });
    const issued = emu.issuedTokens().length;
    await expect(msalApp().acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] })).rejects.toThrow();
    expect(emu.issuedTokens()).toHaveLength(issued);
  });

  it('a 503 with Retry-After sends that header', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'status', status: 503, headers: { 'Retry-After': '5' } } });
    const res = await whoAmI();
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([503, '5', '']);
  });

  it('a throttle with retryAfterSeconds 0 sends Retry-After: 0', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 0 } });
    const res = await whoAmI();
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '0']);
    expect((await json(res)).error.code).toBe('0x80072322');
  });
});

describe('trickle', () => {
  it('sends the real status and headers at once, then the real body bytesPerWrite bytes every intervalMs', async () => {
    const real = await (await whoAmI()).text();
    emu.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'trickle', bytesPerWrite: 40, intervalMs: 120 } });
    const w = await wire(whoAmIUrl(), { headers: auth() });
    expect(w.failure).toBeUndefined();
    expect(w.status).toBe(200);
    expect(w.headers?.['content-length']).toBe(String(real.length));
    expect(body(w)).toBe(real);
    const writes = Math.ceil(real.length / 40);
    expect(w.chunks.map((c) => c.bytes.length)).toEqual([...Array(writes - 1).fill(40), real.length - 40 * (writes - 1)]);
    expect(w.headersAt! - w.started).toBeLessThan(120);
    // Measured from the first chunk: delivery jitter can only shorten a gap by what it delayed the first.
    w.chunks.forEach((c, i) => expect(c.at - w.chunks[0].at).toBeGreaterThanOrEqual(i * 120 - 40));
    expect(w.endedAt! - w.started).toBeGreaterThanOrEqual((writes - 1) * 120 - 40);
    const entry = lastEntry();
    await sleep(20); // the emulator notes the end a moment after the client read it
    expect(entry).toMatchObject({ faulted: 'trickle', status: 200, sentBytes: real.length });
    expect(entry.endedAt! - entry.at).toBeGreaterThanOrEqual((writes - 1) * 120);
  });

  it('outlasts a client timeout; once the client leaves it stops writing, drops the socket and leaves no timer', async () => {
    const real = await (await whoAmI()).text();
    const timersBefore = await settledTimers();
    emu.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'trickle', bytesPerWrite: 1, intervalMs: 50 } });
    // The whole body would take (length - 1) x 50 ms, over 10 s; the client waits 300 ms.
    expect((real.length - 1) * 50).toBeGreaterThan(10_000);
    const started = Date.now();
    const outcome = await fetch(whoAmIUrl(), { headers: auth(), signal: AbortSignal.timeout(300) })
      .then((res) => res.text())
      .catch((err: Error) => err);
    const gaveUp = Date.now() - started;
    expect(outcome).toHaveProperty('name', 'TimeoutError');
    expect(gaveUp).toBeGreaterThanOrEqual(290);
    expect(gaveUp).toBeLessThan(2000);

    const entry = lastEntry();
    expect(entry).toMatchObject({ faulted: 'trickle', status: 200 });
    await sleep(200); // the server sees the close a moment after the client's abort
    expect(entry.endedAt).toBeDefined();
    const sent = entry.sentBytes;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(20); // about 300 / 50 + 1 writes
    await sleep(300);
    expect(entry.sentBytes).toBe(sent); // no write after the client left
    expect(await settledTimers()).toBeLessThanOrEqual(timersBefore);
    expect((await whoAmI()).status).toBe(200);
  });
});

describe('neverEnd', () => {
  it('sends the real status, chunked headers and the first afterBytes bytes, then holds the connection open', async () => {
    const real = await (await whoAmI()).text();
    emu.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'neverEnd', afterBytes: 30 } });
    const w = await wire(whoAmIUrl(), { headers: auth(), abortAfterMs: 600 });
    expect(w.status).toBe(200);
    expect(w.headers).toMatchObject({ 'transfer-encoding': 'chunked', 'content-type': 'application/json; odata.metadata=minimal' });
    expect(w.headers?.['content-length']).toBeUndefined();
    expect(body(w)).toBe(real.slice(0, 30));
    expect(w.failure).toBe('aborted'); // nothing ended it in 600 ms
    expect(w.endedAt).toBeUndefined();
    const entry = lastEntry();
    expect(entry).toMatchObject({ faulted: 'neverEnd', status: 200, sentBytes: 30 });
    await sleep(100);
    expect(entry.endedAt! - w.started).toBeGreaterThanOrEqual(600); // ended by the client's close
  });

  it('sends only the headers by default', async () => {
    emu.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'neverEnd' } });
    const w = await wire(whoAmIUrl(), { headers: auth(), abortAfterMs: 400 });
    expect([w.status, w.chunks.length, w.failure]).toEqual([200, 0, 'aborted']);
    expect(w.headersAt! - w.started).toBeLessThan(400);
    expect(lastEntry()).toMatchObject({ faulted: 'neverEnd', sentBytes: 0 });
  });
});

describe('silent', () => {
  it('reads the request and never sends a status line; the connection stays open until the client leaves', async () => {
    const form = new URLSearchParams({ client_id: GOOD_CLIENT_ID, client_secret: GOOD_CLIENT_SECRET, scope: `${emu.orgUrl}/.default`, grant_type: 'client_credentials' });
    emu.faults.add({ target: 'login', method: 'POST', action: { kind: 'silent' } });
    const issued = emu.issuedTokens().length;
    const w = await wire(`${emu.loginUrl}/${GOOD_TENANT_ID}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), abortAfterMs: 600 });
    expect([w.status, w.headersAt, w.chunks.length, w.failure]).toEqual([undefined, undefined, 0, 'aborted']);
    const entry = emu.requests('login').pop()!;
    expect(entry).toMatchObject({ method: 'POST', faulted: 'silent', status: 0, sentBytes: 0, body: form.toString() });
    expect(emu.issuedTokens()).toHaveLength(issued);
    await sleep(100);
    expect(entry.endedAt! - w.started).toBeGreaterThanOrEqual(600);
    expect((await requestToken()).status).toBe(200);
  });

  it('makes fetch wait until its own timeout', async () => {
    emu.faults.add({ target: 'org', action: { kind: 'silent' } });
    const started = Date.now();
    const err = await fetch(whoAmIUrl(), { headers: auth(), signal: AbortSignal.timeout(300) }).catch((e: Error) => e);
    expect(err).toHaveProperty('name', 'TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('echoToken', () => {
  it('answers 400 with the Dataverse envelope quoting the bearer token across character 500 of a long body', async () => {
    emu.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'echoToken' } });
    const w = await wire(whoAmIUrl(), { headers: auth() });
    const text = body(w);
    expect(w.status).toBe(400);
    expect(w.headers).toMatchObject({ 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' });
    expect(text).toHaveLength(ECHO_TOKEN_BODY_LENGTH);
    expect(text.indexOf(token)).toBe(ECHO_TOKEN_OFFSET);
    expect(text.indexOf(token)).toBeLessThan(450);
    expect(text.length).toBeGreaterThan(2000);
    expect(ECHO_TOKEN_OFFSET + token.length).toBeGreaterThan(500);
    // What "cut to 500, then redact the whole token" would still print:
    const cut = text.slice(0, 500);
    expect(cut).toContain(token.slice(0, 500 - ECHO_TOKEN_OFFSET));
    expect(cut).not.toContain(token);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['error']);
    expect(Object.keys(parsed.error)).toEqual(['code', 'message']);
    expect(parsed.error.code).toBe('0x80040216');
    expect(parsed.error.message).toContain(`Gateway rejected request with header Authorization: Bearer ${token}.`);
    expect(text.split(token)).toHaveLength(2); // quoted once
    expect(lastEntry()).toMatchObject({ faulted: 'echoToken', status: 400, sentBytes: ECHO_TOKEN_BODY_LENGTH });
  });

  it('takes another status, and quotes "(none)" without an Authorization header', async () => {
    emu.faults.add({ target: 'org', times: 2, action: { kind: 'echoToken', status: 502 } });
    const withToken = await whoAmI();
    expect(withToken.status).toBe(502);
    expect((await withToken.text()).indexOf(token)).toBe(ECHO_TOKEN_OFFSET);
    const without = await fetch(whoAmIUrl());
    expect(without.status).toBe(502);
    expect((await json(without)).error.message).toContain('Authorization: (none).');
  });
});

describe('tokenExpiresIn', () => {
  it.each([
    ['"abc"', 'abc'],
    ['-5', -5],
    ['0', 0],
    ['null', null],
  ])('issues a real token whose expires_in is %s', async (raw, value) => {
    emu.faults.add({ target: 'login', path: '/oauth2/v2.0/token', action: { kind: 'tokenExpiresIn', value } });
    const res = await requestToken();
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`"expires_in":${raw},`);
    const parsed = JSON.parse(text);
    expect(parsed).toMatchObject({ token_type: 'Bearer', ext_expires_in: DEFAULT_TOKEN_LIFETIME_SECONDS });
    expect(emu.issuedTokens()).toContain(parsed.access_token);
    expect((await whoAmI(parsed.access_token)).status).toBe(200);
    expect(emu.requests('login').pop()).toMatchObject({ faulted: 'tokenExpiresIn', status: 200 });
  });

  it('leaves expires_in out for undefined, and passes an error answer unchanged', async () => {
    emu.faults.add({ target: 'login', path: '/oauth2/v2.0/token', times: 2, action: { kind: 'tokenExpiresIn', value: undefined } });
    const parsed = await json(await requestToken());
    expect(Object.keys(parsed)).toEqual(['token_type', 'ext_expires_in', 'access_token']);
    const refused = await requestTokenAt(emu, { secret: WRONG_CLIENT_SECRET });
    expect(refused.status).toBe(401);
    expect((await json(refused)).error).toBe('invalid_client');
  });
});

describe('closeListener', () => {
  let other: Emulator;
  let otherToken: string;
  beforeEach(async () => {
    other = await startEmulator();
    otherToken = await fetchToken(other);
  });
  afterEach(() => other.close());
  const otherWhoAmI = () => fetch(whoAmIUrl(other), { headers: auth(otherToken) });

  it('answers the matched request with Connection: close, then refuses new connections', async () => {
    other.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'closeListener' } });
    const w = await wire(whoAmIUrl(other), { headers: auth(otherToken) });
    expect(w.status).toBe(200);
    expect(JSON.parse(body(w))).toHaveProperty('UserId');
    expect(w.headers?.connection).toBe('close');
    expect(other.log[other.log.length - 1]).toMatchObject({ faulted: 'closeListener', status: 200 });
    expect(await failureCode(otherWhoAmI())).toBe('ECONNREFUSED');
    expect(await connectResult(other.orgUrl)).toBe('ECONNREFUSED');
    expect(await connectResult(other.loginUrl)).toBe('connected'); // only the target's server
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('destroys idle keep-alive connections; a busy one finishes its answer, then closes', async () => {
    const agent = new https.Agent({ keepAlive: true });
    const idle = await new Promise<import('node:net').Socket>((resolve, reject) => {
      const req = https.get(whoAmIUrl(other), { agent, headers: auth(otherToken) }, (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket!));
      });
      req.on('error', reject);
    });
    const idleClosed = new Promise<number>((resolve) => idle.once('close', () => resolve(Date.now())));
    await sleep(50);
    expect(idle.destroyed).toBe(false); // kept alive
    other.faults.add({ target: 'org', path: '/organizations', action: { kind: 'delay', ms: 300 } });
    const busy = wire(`${other.orgUrl}/api/data/v9.2/organizations?$select=name`, { headers: auth(otherToken) });
    await sleep(50);
    other.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'closeListener' } });
    const faulted = Date.now();
    expect((await wire(whoAmIUrl(other), { headers: auth(otherToken) })).status).toBe(200);
    expect((await idleClosed) - faulted).toBeLessThan(500);
    const slow = await busy;
    expect([slow.status, slow.headers?.connection]).toEqual([200, 'close']);
    expect(JSON.parse(body(slow)).value).toHaveLength(1);
    agent.destroy();
  });

  it('before: destroys the matched connection unanswered and stops listening', async () => {
    other.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'closeListener', before: true } });
    const w = await wire(whoAmIUrl(other), { headers: auth(otherToken) });
    expect([w.status, w.chunks.length, w.failure]).toEqual([undefined, 0, 'ECONNRESET']);
    expect(other.log[other.log.length - 1]).toMatchObject({ faulted: 'closeListener', status: 0, sentBytes: 0 });
    expect(await connectResult(other.orgUrl)).toBe('ECONNREFUSED');
  });

  it('reopenAfterMs: refused until then, then served again on the same port', async () => {
    const port = new URL(other.orgUrl).port;
    other.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'closeListener', reopenAfterMs: 400 } });
    const started = Date.now();
    expect((await otherWhoAmI()).status).toBe(200);
    const attempts: Array<{ at: number; result: string }> = [];
    for (let i = 0; i < 40; i++) {
      const result = await connectResult(other.orgUrl);
      attempts.push({ at: Date.now() - started, result });
      if (result === 'connected') break;
      await sleep(50);
    }
    const firstOk = attempts.findIndex((a) => a.result === 'connected');
    expect(firstOk).toBeGreaterThan(0);
    expect(attempts.slice(0, firstOk).every((a) => a.result === 'ECONNREFUSED')).toBe(true);
    expect(attempts[firstOk].at).toBeGreaterThanOrEqual(400);
    expect(new URL(other.orgUrl).port).toBe(port);
    expect((await otherWhoAmI()).status).toBe(200);
    const started2 = Date.now();
    await other.close();
    expect(Date.now() - started2).toBeLessThan(1000);
  });

  it('close() while a reopen is pending: returns promptly and the port stays closed', async () => {
    other.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'closeListener', reopenAfterMs: 200 } });
    expect((await otherWhoAmI()).status).toBe(200);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await sleep(350);
    expect(await connectResult(other.orgUrl)).toBe('ECONNREFUSED');
    await other.close(); // a second close is harmless
  });
});

describe('close with held connections', () => {
  it('ends silent, neverEnd and trickle exchanges at once and leaves no timer', async () => {
    const other = await startEmulator();
    const t = await fetchToken(other);
    const timersBefore = await settledTimers();
    other.faults.add({ target: 'org', path: '/WhoAmI', action: { kind: 'silent' } });
    other.faults.add({ target: 'org', path: '/organizations', action: { kind: 'neverEnd', afterBytes: 10 } });
    other.faults.add({ target: 'org', path: '/GlobalOptionSetDefinitions', action: { kind: 'trickle', bytesPerWrite: 1, intervalMs: 1000 } });
    const pending = [
      wire(whoAmIUrl(other), { headers: auth(t) }),
      wire(`${other.orgUrl}/api/data/v9.2/organizations`, { headers: auth(t) }),
      wire(`${other.orgUrl}/api/data/v9.2/GlobalOptionSetDefinitions?$select=Name`, { headers: auth(t) }),
    ];
    await sleep(300);
    expect(other.log.slice(-3).map((e) => e.faulted)).toEqual(['silent', 'neverEnd', 'trickle']);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(1000);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.status)).toEqual([undefined, 200, 200]);
    expect(results.map((r) => r.endedAt)).toEqual([undefined, undefined, undefined]);
    expect(results.every((r) => r.failure !== undefined)).toBe(true);
    expect(await settledTimers()).toBeLessThanOrEqual(timersBefore);
  });
});
