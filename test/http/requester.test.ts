import { ConfigError, DataverseError, ResponseError, TransientError } from '../../connector/errors';
import { PageTooLargeError } from '../../connector/http/body-text';
import type { Authenticator } from '../../connector/http/authenticator';
import type { ErrorDescriber } from '../../connector/http/error-describer';
import { DEFAULT_RETRY_POLICY } from '../../connector/http/retry-policy';
import { parseDataverseError } from '../../connector/http/error-body';
import { HttpRequester, type HttpDeps, type RequestContext } from '../../connector/http/requester';
import { buildUrl, MAX_GET_URL_CHARS } from '../../connector/http/url';

const BASE = 'https://contoso.crm4.dynamics.com/api/data/v9.2';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A fetch answering from a list, one answer per call (the last one repeats), recording each call. */
function scriptedFetch(answers: Array<() => Response>) {
  const calls: Call[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push({ url, method: String(init.method), headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    return answers[Math.min(calls.length - 1, answers.length - 1)]();
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const dataverseError = (status: number, code: string, message: string) => json(status, { error: { code, message } });

/** An authenticator handing out numbered tokens; `invalidate` moves to the next one. */
function fakeAuthenticator(): Authenticator & { invalidations: number } {
  let token = 1;
  return {
    invalidations: 0,
    async authorization() {
      return `Bearer token-${token}`;
    },
    invalidate() {
      this.invalidations++;
      token++;
    },
  };
}

/** A describer that names what it was asked, so the tests see what the requester hands it. */
const describer: ErrorDescriber = {
  describeResponse: (code, detail) => (code === '0x80072560' ? `described ${code} (${detail})` : undefined),
  rejectedToken: () => 'the token was rejected twice',
  describeTokenError: () => undefined,
};

const constant = (value: unknown) => ({ render: () => value });

function requester(answers: Array<() => Response>, extra: Partial<HttpDeps> = {}) {
  const { fetch, calls } = scriptedFetch(answers);
  const logs: string[] = [];
  const sleeps: number[] = [];
  const authenticator = fakeAuthenticator();
  const deps: HttpDeps = {
    fetch,
    sleep: async (ms) => void sleeps.push(ms),
    now: () => 0,
    random: () => 0.5,
    log: (level, message) => void logs.push(`${level} ${message}`),
    timeoutMs: 1000,
    ...extra,
  };
  const http = new HttpRequester({
    urlBase: constant(BASE),
    path: { render: (context: RequestContext) => (context.parameters as { path: string }).path },
    requestParameters: constant({ $select: 'accountid,name', $filter: '' }),
    requestHeaders: constant({ Accept: 'application/json', Prefer: 'odata.maxpagesize=100' }),
    authenticator,
    retryPolicy: DEFAULT_RETRY_POLICY,
    describer,
    deps,
  });
  return { http, calls, logs, sleeps, authenticator };
}

const context: RequestContext = { config: {}, parameters: { path: 'accounts' } };

describe('buildUrl', () => {
  test('joins base and path, leaves out empty parameters and keeps OData punctuation readable', () => {
    expect(buildUrl(`${BASE}/`, '/accounts', { $select: 'a,b', $filter: "modifiedon ge 2024-01-01T00:00:00Z and x eq 'a/b'", $top: 5, $skip: '', $x: null })).toBe(
      `${BASE}/accounts?$select=a,b&$filter=modifiedon%20ge%202024-01-01T00:00:00Z%20and%20x%20eq%20'a/b'&$top=5`,
    );
  });

  test('an absolute path replaces the base, and a query already present is extended', () => {
    expect(buildUrl(BASE, 'https://other.example/x?a=1', { b: 2 })).toBe('https://other.example/x?a=1&b=2');
  });
});

describe('parseDataverseError', () => {
  test.each([
    ['the envelope', '{"error":{"code":"0x80040220","message":"no privilege"}}', { code: '0x80040220', message: 'no privilege' }],
    ['fields that are not text', '{"error":{"code":5,"message":null}}', { code: undefined, message: undefined }],
    ['not JSON', '<html>busy</html>', {}],
  ])('%s', (_name, text, expected) => {
    expect(parseDataverseError(text)).toEqual(expected);
  });
});

describe('HttpRequester.send', () => {
  test('an answer past the body limit fails at once, not retried, saying what to change', async () => {
    const big = () => new Response(JSON.stringify({ value: [{ documentbody: 'x'.repeat(2 * 1024 * 1024) }] }), { status: 200 });
    const { http, calls } = requester([big], { maxBodyBytes: 1024 * 1024 });
    const err = await http.send(context).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'the answer to GET /api/data/v9.2/accounts passed 1 MB before it ended: its rows are too large for one page. Set page_size lower (for example 500, or 50 for tables of attachments or long notes)',
    );
    expect(calls).toHaveLength(1);
  });

  test("a first page's soft limit applies only to an answer that applied odata.maxpagesize (only then can fewer rows make it smaller)", async () => {
    const body = JSON.stringify({ value: [{ documentbody: 'x'.repeat(2 * 1024 * 1024) }] });
    const paged = () => new Response(body, { status: 200, headers: { 'Preference-Applied': 'odata.include-annotations="*",odata.maxpagesize=100' } });
    const unpaged = () => new Response(body, { status: 200 });
    const first = requester([paged]);
    const err = await first.http.send(context, undefined, { firstPageBytes: 1024 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PageTooLargeError);
    expect(err).toMatchObject({ limitBytes: 1024 * 1024, what: 'GET /api/data/v9.2/accounts' });
    expect(first.calls).toHaveLength(1);
    const second = requester([unpaged]);
    const result = await second.http.send(context, undefined, { firstPageBytes: 1024 * 1024 });
    expect((result.body as { value: Array<{ documentbody: string }> }).value[0].documentbody).toHaveLength(2 * 1024 * 1024);
  });

  test('one GET with the rendered URL, headers, extras merged into one Prefer, and the bearer token', async () => {
    const { http, calls } = requester([json(200, { value: [{ accountid: 'a' }] })]);
    const result = await http.send(context, undefined, { headers: { prefer: 'odata.track-changes' }, parameters: { $orderby: 'name asc' } });
    expect(result.body).toEqual({ value: [{ accountid: 'a' }] });
    expect(result.status).toBe(200);
    expect(calls).toEqual([
      {
        url: `${BASE}/accounts?$select=accountid,name&$orderby=name%20asc`,
        method: 'GET',
        headers: { Accept: 'application/json', Prefer: 'odata.maxpagesize=100,odata.track-changes', Authorization: 'Bearer token-1' },
        body: undefined,
      },
    ]);
  });

  test('an empty body is an empty object; a body that is not JSON is a ResponseError once the retries are spent', async () => {
    expect((await requester([() => new Response('', { status: 200 })]).http.send(context)).body).toEqual({});
    const broken = requester([() => new Response('{"value": [', { status: 200 })]);
    await expect(broken.http.send(context)).rejects.toThrow(new ResponseError('Dataverse did not answer GET /api/data/v9.2/accounts properly: the response to /api/data/v9.2/accounts was not valid JSON (11 bytes), still failing after 5 retries'));
  });

  test('a link to another host is refused before any request, so no token leaves', async () => {
    const { http, calls } = requester([json(200, {})]);
    await expect(http.send(context, 'https://evil.example/api/data/v9.2/accounts?$skiptoken=1')).rejects.toThrow(ResponseError);
    expect(calls).toEqual([]);
  });

  test('a 401 gets a new token and one retry', async () => {
    const { http, calls, authenticator, logs } = requester([dataverseError(401, '0x80072560', 'expired'), json(200, { value: [] })]);
    await http.send(context);
    expect(calls.map((c) => c.headers.Authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(authenticator.invalidations).toBe(1);
    expect(logs).toContain('INFO Dataverse answered 401 for /api/data/v9.2/accounts; getting a new access token and retrying once');
  });

  test('a second 401 without a described code is worded by the describer: the token was rejected', async () => {
    const { http, calls } = requester([dataverseError(401, '0x80090000', 'invalid token')]);
    const error = (await http.send(context).catch((e: unknown) => e)) as DataverseError;
    expect(error).toBeInstanceOf(DataverseError);
    expect([error.message, error.status, error.code]).toEqual(['the token was rejected twice', 401, '0x80090000']);
    expect(calls).toHaveLength(2);
  });

  test('a code the describer explains becomes its message, given the service message as detail', async () => {
    const { http, calls } = requester([dataverseError(403, '0x80072560', 'The user is not a member of the organization.')]);
    const error = (await http.send(context).catch((e: unknown) => e)) as DataverseError;
    expect(error).toBeInstanceOf(DataverseError);
    expect(error.message).toBe('described 0x80072560 (The user is not a member of the organization.)');
    expect([error.status, error.code, error.internal]).toEqual([403, '0x80072560', '403 0x80072560: The user is not a member of the organization.']);
    expect(calls).toHaveLength(1);
  });

  test('a code the describer does not know: the refusal with the service message, the body redacted for engineers', async () => {
    const { http } = requester([dataverseError(404, '0x80060888', 'Resource not found for the segment secret-value.')], { redact: (t) => t.replace(/secret-value/g, '***') });
    const error = (await http.send(context).catch((e: unknown) => e)) as DataverseError;
    expect(error.message).toBe('Dataverse refused GET /api/data/v9.2/accounts (HTTP 404, 0x80060888): Resource not found for the segment ***.');
    expect(error.internal).toBe('{"error":{"code":"0x80060888","message":"Resource not found for the segment ***."}}');
  });

  test('503 is retried with backoff, then a TransientError naming the code', async () => {
    const { http, calls, sleeps } = requester([dataverseError(503, '0x80040216', 'busy')], { backoffBaseMs: 10 });
    const error = await http.send(context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('Dataverse is busy or unavailable: GET /api/data/v9.2/accounts HTTP 503, still failing after 5 retries (0x80040216: busy); try again later');
    expect(calls).toHaveLength(6);
    expect(sleeps).toHaveLength(5);
  });

  test('a GET longer than the URL limit goes as the one part of a $batch, with the same headers', async () => {
    const long = 'x'.repeat(MAX_GET_URL_CHARS);
    const batchAnswer = () =>
      new Response(
        ['--batchresponse_1', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', 'HTTP/1.1 200 OK', 'Content-Type: application/json', '', '{"value":[{"accountid":"a"}]}', '--batchresponse_1--', ''].join('\r\n'),
        { status: 200, headers: { 'Content-Type': 'multipart/mixed; boundary=batchresponse_1' } },
      );
    const { http, calls } = requester([batchAnswer]);
    const result = await http.send({ config: {}, parameters: { path: `accounts(${long})` } });
    expect(result.body).toEqual({ value: [{ accountid: 'a' }] });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([`POST ${BASE}/$batch`]);
    expect(calls[0].headers['Content-Type']).toMatch(/^multipart\/mixed; boundary="batch_[0-9a-f]+"$/);
    expect(calls[0].body).toContain(`GET /api/data/v9.2/accounts(${long})?$select=accountid,name HTTP/1.1`);
  });

  test('a GET too long even for $batch is a ConfigError naming the fix, with no request', async () => {
    const { http, calls } = requester([json(200, {})]);
    await expect(http.send({ config: {}, parameters: { path: 'x'.repeat(70_000) } })).rejects.toThrow(ConfigError);
    expect(calls).toEqual([]);
  });
});

describe('HttpRequester.checkFollowable', () => {
  test('a link on the resource passes; one to another entity set or host is refused', () => {
    const { http } = requester([json(200, {})]);
    expect(() => http.checkFollowable(context, `${BASE}/accounts?$skiptoken=abc`)).not.toThrow();
    expect(() => http.checkFollowable(context, `${BASE}/contacts?$skiptoken=abc`)).toThrow(ResponseError);
    expect(() => http.checkFollowable(context, 'https://evil.example/api/data/v9.2/accounts')).toThrow(ResponseError);
  });
});
