/** Concurrent callers of one authenticator share one token request (issue 11: the token is shared). */
import { MsalAuthenticator } from '../../connector/http/authenticator';

const TENANT = 'f6976b02-5a42-4e90-ac3d-8bf516ce0859';
const LOGIN = 'https://login.example.test';

/** A token endpoint that answers after `release()` is called, so every caller is waiting before the first answer. */
function entra() {
  const calls: Array<{ method: string; path: string }> = [];
  let release!: () => void;
  const answered = new Promise<void>((resolve) => (release = resolve));
  let tokens = 0;
  const fetchMock = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    calls.push({ method: init?.method ?? 'GET', path: url.pathname });
    const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    if (url.pathname.endsWith('/openid-configuration')) {
      const base = `${LOGIN}/${TENANT}`;
      return json({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        issuer: `${base}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
      });
    }
    if (url.pathname.endsWith('/oauth2/v2.0/token')) {
      await answered;
      tokens++;
      return json({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: `token-${tokens}` });
    }
    return new Response('', { status: 404 });
  }) as typeof fetch;
  return { calls, release, fetchMock };
}

test('10 concurrent callers cause exactly 1 token POST and all get its token', async () => {
  const { calls, release, fetchMock } = entra();
  const auth = new MsalAuthenticator({
    describer: { describeTokenError: () => undefined },
    orgUrl: 'https://contoso.crm4.dynamics.com',
    tenantId: TENANT,
    clientId: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
    clientSecret: 'secret-value',
    authorityHost: LOGIN,
    fetch: fetchMock,
    sleep: async () => undefined,
    now: Date.now,
  });
  const headers = Array.from({ length: 10 }, () => auth.authorization());
  // Let every caller reach the token request before the endpoint answers.
  for (let i = 0; i < 50 && !calls.some((c) => c.method === 'POST'); i++) await new Promise((resolve) => setImmediate(resolve));
  release();
  expect(await Promise.all(headers)).toEqual(Array(10).fill('Bearer token-1'));
  expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: `/${TENANT}/oauth2/v2.0/token` }]);
  // Later callers use the cached token: still one POST.
  await auth.authorization();
  expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  // After invalidate(), 10 concurrent callers again share one new request.
  auth.invalidate();
  const again = await Promise.all(Array.from({ length: 10 }, () => auth.authorization()));
  expect(again).toEqual(Array(10).fill('Bearer token-2'));
  expect(calls.filter((c) => c.method === 'POST')).toHaveLength(2);
});
