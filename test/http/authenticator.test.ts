import { AuthenticationError, TransientError } from '../../connector/errors';
import { MsalAuthenticator, refreshTime, type MsalAuthenticatorOptions } from '../../connector/http/authenticator';
import { Redactor } from '../../connector/protocol/redactor';

const AUTHORITY = 'https://login.example.test';
const TENANT = 'f6976b02-5a42-4e90-ac3d-8bf516ce0859';
const CLIENT = 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4';
const SECRET = 'authenticator-test-secret';
const TOKEN_URL = `${AUTHORITY}/${TENANT}/oauth2/v2.0/token`;

/** The OpenID configuration MSAL reads before its first token request (only the fields it checks). */
const OPENID = {
  token_endpoint: TOKEN_URL,
  authorization_endpoint: `${AUTHORITY}/${TENANT}/oauth2/v2.0/authorize`,
  issuer: `${AUTHORITY}/${TENANT}/v2.0`,
  jwks_uri: `${AUTHORITY}/${TENANT}/discovery/v2.0/keys`,
  end_session_endpoint: `${AUTHORITY}/${TENANT}/oauth2/v2.0/logout`,
};

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Entra ID as a fetch: the OpenID configuration, and the token endpoint answering from `tokenAnswers` in turn (the last repeats). */
function fakeEntra(tokenAnswers: Array<() => Response>) {
  const calls: string[] = [];
  const forms: URLSearchParams[] = [];
  let tokens = 0;
  const fetch = (async (url: string, init: RequestInit) => {
    calls.push(`${init.method} ${url.split('?')[0]}`);
    if (url.includes('/.well-known/openid-configuration')) return json(200, OPENID);
    if (url.startsWith(TOKEN_URL)) {
      forms.push(new URLSearchParams(String(init.body)));
      return tokenAnswers[Math.min(tokens++, tokenAnswers.length - 1)]();
    }
    return json(404, {});
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls, forms };
}

const token = (n: number, expiresIn = 3599) => () => json(200, { token_type: 'Bearer', expires_in: expiresIn, access_token: `access-token-${n}` });
const aadsts = (status: number, code: number) => () =>
  json(status, { error: 'invalid_client', error_description: `AADSTS${code}: something about the client.\r\nTrace ID: 1`, error_codes: [code] });

function authenticator(tokenAnswers: Array<() => Response>, extra: Partial<MsalAuthenticatorOptions> = {}) {
  const entra = fakeEntra(tokenAnswers);
  const redactor = new Redactor();
  let now = Date.UTC(2026, 0, 1);
  const auth = new MsalAuthenticator({
    orgUrl: 'https://contoso.crm4.dynamics.com',
    tenantId: TENANT,
    clientId: CLIENT,
    clientSecret: SECRET,
    authorityHost: `${AUTHORITY}/`,
    describer: { describeTokenError: (code) => (code === 7000215 ? `described AADSTS${code}` : undefined) },
    redactor,
    fetch: entra.fetch,
    sleep: async () => undefined,
    now: () => now,
    random: () => 0.5,
    retryPolicy: { filters: [{ action: 'RETRY', httpCodes: new Set([503]) }], maxRetries: 2, maxRateLimitRetries: 2, maxRetryAfterMs: 1000, baseDelayMs: 1, maxDelayMs: 1, minWaitMs: 1 },
    ...extra,
  });
  return { auth, entra, redactor, advance: (ms: number) => (now += ms) };
}

describe('MsalAuthenticator', () => {
  test('asks for the org scope with the client credentials, and keeps the token for later calls', async () => {
    const { auth, entra } = authenticator([token(1)]);
    expect(await auth.authorization()).toBe('Bearer access-token-1');
    expect(await auth.authorization()).toBe('Bearer access-token-1');
    expect(entra.calls.filter((c) => c.startsWith('POST'))).toEqual([`POST ${TOKEN_URL}`]);
    expect(entra.forms[0].get('grant_type')).toBe('client_credentials');
    expect(entra.forms[0].get('client_id')).toBe(CLIENT);
    expect(entra.forms[0].get('scope')).toContain('https://contoso.crm4.dynamics.com/.default');
  });

  test('invalidate() makes the next call fetch a new token', async () => {
    const { auth, entra } = authenticator([token(1), token(2)]);
    await auth.authorization();
    auth.invalidate();
    expect(await auth.authorization()).toBe('Bearer access-token-2');
    expect(entra.forms).toHaveLength(2);
  });

  test('concurrent callers share one token request', async () => {
    const { auth, entra } = authenticator([token(1)]);
    expect(await Promise.all([auth.authorization(), auth.authorization(), auth.authorization()])).toEqual(Array(3).fill('Bearer access-token-1'));
    expect(entra.forms).toHaveLength(1);
  });

  test('the secret and every token are registered with the redactor', async () => {
    const { auth, redactor } = authenticator([token(1)]);
    await auth.authorization();
    expect(redactor.redact(`${SECRET} Bearer access-token-1`)).not.toMatch(/authenticator-test-secret|access-token-1/);
  });

  test('an AADSTS code the describer knows becomes its message', async () => {
    const { auth } = authenticator([aadsts(401, 7000215)]);
    const error = (await auth.authorization().catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect([error.message, error.aadstsCode]).toEqual(['described AADSTS7000215', 7000215]);
  });

  test('an AADSTS code the describer does not know points at Microsoft\'s error page', async () => {
    const { auth } = authenticator([aadsts(400, 50000)]);
    const error = (await auth.authorization().catch((e: unknown) => e)) as AuthenticationError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toBe('Microsoft Entra ID refused the token request (AADSTS50000); see https://login.microsoftonline.com/error?code=50000');
  });

  test('a 503 of the token endpoint is retried by the policy, then is a TransientError naming the authority', async () => {
    const { auth, entra } = authenticator([() => json(503, { error: 'temporarily_unavailable' })]);
    const error = await auth.authorization().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('Microsoft Entra ID at https://login.example.test is not available (HTTP 503); try again later');
    expect(entra.forms).toHaveLength(3);
  });

  test.each([
    ['an error body MSAL reads', () => json(503, { error: 'temporarily_unavailable', error_description: 'busy' })],
    ['a body MSAL cannot read', () => new Response('<html>Service Unavailable</html>', { status: 503 })],
    ['an empty JSON body', () => json(503, {})],
  ])('after a 503 with %s the next call asks Entra again (MSAL would refuse it for a minute) and can succeed', async (_name, unavailable) => {
    const { auth, entra } = authenticator([unavailable, unavailable, unavailable, token(2)]);
    await expect(auth.authorization()).rejects.toThrow(new TransientError('Microsoft Entra ID at https://login.example.test is not available (HTTP 503); try again later'));
    expect(await auth.authorization()).toBe('Bearer access-token-2');
    expect(entra.forms).toHaveLength(4);
  });
});

describe('refreshTime', () => {
  const now = Date.UTC(2026, 0, 1);
  test.each([
    ['five minutes before expiry', new Date(now + 3_600_000), now + 3_300_000],
    ['never sooner than five minutes from now', new Date(now + 60_000), now + 300_000],
    ['a missing expiry', undefined, now + 300_000],
    ['a nonsense expiry', new Date(Number.NaN), now + 300_000],
  ])('%s', (_name, expiresOn, expected) => {
    expect(refreshTime(expiresOn, now)).toBe(expected);
  });
});
