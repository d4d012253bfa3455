/** The emulated Entra ID, driven by real fetch and by the real MSAL confidential client. */
import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  EXPIRED_CLIENT_SECRET,
  EXPIRED_SECRET_CLIENT_ID,
  GOOD_CLIENT_ID,
  GOOD_CLIENT_SECRET,
  GOOD_TENANT_ID,
  UNKNOWN_CLIENT_ID,
  UNKNOWN_TENANT_ID,
  WRONG_CLIENT_SECRET,
  startEmulator,
  type Emulator,
} from './index';
import { json, readFixture, requestToken as requestTokenAt, type TokenRequestArgs } from './testing';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
afterEach(() => emu.faults.clear());

const requestToken = (args: TokenRequestArgs = {}) => requestTokenAt(emu, args);

function msalApp(tenant = GOOD_TENANT_ID, clientId = GOOD_CLIENT_ID, clientSecret = GOOD_CLIENT_SECRET): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: { clientId, clientSecret, authority: `${emu.loginUrl}/${tenant}`, knownAuthorities: [new URL(emu.loginUrl).host] },
  });
}

describe('token endpoint, success', () => {
  it('gives MSAL a token through the production path: openid-configuration GET, then the token POST', async () => {
    const before = emu.log.length;
    const result = await msalApp().acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] });
    expect(result?.accessToken).toMatch(/^eyJ0eXAi[\w-]+\.[\w-]+\.[\w-]{300,}$/);
    expect(emu.issuedTokens()).toContain(result?.accessToken);

    const calls = emu.log.slice(before);
    expect(calls.map((c) => [c.target, c.method, c.path.split('?')[0], c.status])).toEqual([
      ['login', 'GET', `/${GOOD_TENANT_ID}/v2.0/.well-known/openid-configuration`, 200],
      ['login', 'POST', `/${GOOD_TENANT_ID}/oauth2/v2.0/token`, 200],
    ]);
    expect(calls[1].path).toMatch(/\?client-request-id=[0-9a-f-]{36}$/);
    const form = new URLSearchParams(calls[1].body);
    expect(form.get('x-client-SKU')).toBe('msal.js.node');
    expect(form.get('client_secret')).toBe(GOOD_CLIENT_SECRET);
    expect(form.get('scope')).toBe(`${emu.orgUrl}/.default`);
  });

  it('answers the plain form POST with the documented body and no-store caching', async () => {
    const res = await requestToken();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store, no-cache');
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await json(res);
    expect(Object.keys(body)).toEqual(['token_type', 'expires_in', 'ext_expires_in', 'access_token']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(emu.issuedTokens()).toContain(body.access_token);
  });

  it('accepts the scope with the org url trailing slash, client secret in Basic auth, and ignores MSAL extras', async () => {
    expect((await requestToken({ scope: `${emu.orgUrl}//.default` })).status).toBe(200);
    const basic = Buffer.from(`${GOOD_CLIENT_ID}:${encodeURIComponent(GOOD_CLIENT_SECRET)}`).toString('base64');
    expect((await requestToken({ omit: ['client_id', 'client_secret'], headers: { authorization: `Basic ${basic}` } })).status).toBe(200);
    const extras = { 'x-client-SKU': 'msal.js.node', 'x-ms-lib-capability': 'retry-after, h429', claims: '{"access_token":{"xms_cc":{"values":["CP1"]}}}' };
    expect((await requestToken({ extra: extras })).status).toBe(200);
  });

  it('issues tokens with the configured lifetime', async () => {
    emu.world.tokenLifetimeSeconds = 120;
    try {
      const body = await json(await requestToken());
      expect([body.expires_in, body.ext_expires_in]).toEqual([120, 120]);
    } finally {
      emu.world.tokenLifetimeSeconds = 3599;
    }
  });
});

describe('token endpoint, AADSTS errors', () => {
  const cases: Array<{ name: string; args: () => TokenRequestArgs; status: number; error: string; code: number; message: () => string }> = [
    {
      name: 'unknown tenant',
      args: () => ({ tenant: UNKNOWN_TENANT_ID }),
      status: 400,
      error: 'invalid_tenant',
      code: 90002,
      message: () => `AADSTS90002: Tenant '${UNKNOWN_TENANT_ID}' not found. Check to make sure you have the correct tenant ID`,
    },
    {
      name: 'unknown client id',
      args: () => ({ clientId: UNKNOWN_CLIENT_ID }),
      status: 400,
      error: 'unauthorized_client',
      code: 700016,
      message: () => `AADSTS700016: Application with identifier '${UNKNOWN_CLIENT_ID}' was not found in the directory 'Contoso'.`,
    },
    {
      name: 'wrong secret',
      args: () => ({ secret: WRONG_CLIENT_SECRET }),
      status: 401,
      error: 'invalid_client',
      code: 7000215,
      message: () => `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${GOOD_CLIENT_ID}'.`,
    },
    {
      name: 'expired secret',
      args: () => ({ clientId: EXPIRED_SECRET_CLIENT_ID, secret: EXPIRED_CLIENT_SECRET }),
      status: 401,
      error: 'invalid_client',
      code: 7000222,
      message: () => `AADSTS7000222: The provided client secret keys for app '${EXPIRED_SECRET_CLIENT_ID}' are expired.`,
    },
    {
      name: 'scope of another resource',
      args: () => ({ scope: 'https://other.crm.dynamics.com/.default' }),
      status: 400,
      error: 'invalid_resource',
      code: 500011,
      message: () => `AADSTS500011: The resource principal named https://other.crm.dynamics.com was not found in the tenant named ${GOOD_TENANT_ID}.`,
    },
    {
      name: 'scope without /.default',
      args: () => ({ scope: `${emu.orgUrl}/user_impersonation` }),
      status: 400,
      error: 'invalid_scope',
      code: 1002012,
      message: () => `AADSTS1002012: The provided value for scope ${emu.orgUrl}/user_impersonation is not valid. Client credential flows must have a scope value with /.default suffixed`,
    },
    {
      name: 'two resource scopes',
      args: () => ({ scope: `${emu.orgUrl}/.default https://other.crm.dynamics.com/.default` }),
      status: 400,
      error: 'invalid_scope',
      code: 70011,
      message: () => "AADSTS70011: The provided value for the input parameter 'scope' is not valid.",
    },
    {
      name: 'missing client_id',
      args: () => ({ omit: ['client_id'] }),
      status: 400,
      error: 'invalid_request',
      code: 900144,
      message: () => "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
    },
    {
      name: 'missing client_secret',
      args: () => ({ omit: ['client_secret'] }),
      status: 401,
      error: 'invalid_client',
      code: 7000216,
      message: () => "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required",
    },
  ];

  it.each(cases)('$name -> $status $error AADSTS$code', async ({ args, status, error, code, message }) => {
    const res = await requestToken({ ...args(), headers: { 'client-request-id': '0f0e0d0c-0b0a-4909-8807-060504030201' } });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await json(res);
    expect(Object.keys(body)).toEqual(['error', 'error_description', 'error_codes', 'timestamp', 'trace_id', 'correlation_id', 'error_uri']);
    expect(body.error).toBe(error);
    expect(body.error_codes).toEqual([code]);
    expect(body.error_description.startsWith(message())).toBe(true);
    expect(body.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.trace_id).toBe(res.headers.get('x-ms-request-id'));
    expect(body.correlation_id).toBe('0f0e0d0c-0b0a-4909-8807-060504030201');
    expect(body.error_description).toMatch(
      new RegExp(`\\r\\nTrace ID: ${body.trace_id}\\r\\nCorrelation ID: ${body.correlation_id}\\r\\nTimestamp: ${body.timestamp}$`),
    );
  });

  it('serves the real fixture bodies with only the ids, trace ids and timestamp replaced', async () => {
    const res = await requestToken({ secret: WRONG_CLIENT_SECRET });
    const body = await json(res);
    const sample = readFixture('token-error-invalid-secret.json');
    const expected = JSON.parse(
      JSON.stringify(sample)
        .split('a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4').join(GOOD_CLIENT_ID)
        .split(sample.trace_id).join(body.trace_id)
        .split(sample.correlation_id).join(body.correlation_id)
        .split(sample.timestamp).join(body.timestamp),
    );
    expect(body).toEqual(expected);
  });

  it('makes MSAL fail with the AADSTS code for a wrong secret', async () => {
    await expect(msalApp(GOOD_TENANT_ID, GOOD_CLIENT_ID, WRONG_CLIENT_SECRET).acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] })).rejects.toMatchObject({
      errorCode: 'invalid_client',
      errorMessage: expect.stringContaining('AADSTS7000215'),
    });
  });

  it('makes MSAL fail for an unknown tenant (its openid-configuration is a 400)', async () => {
    await expect(msalApp(UNKNOWN_TENANT_ID).acquireTokenByClientCredential({ scopes: [`${emu.orgUrl}/.default`] })).rejects.toMatchObject({
      errorCode: 'endpoints_resolution_error',
    });
  });
});

describe('metadata endpoints', () => {
  it('serves openid-configuration pointing back at the emulator for the tenant', async () => {
    const res = await fetch(`${emu.loginUrl}/${GOOD_TENANT_ID}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('max-age=86400, private');
    const body = await json(res);
    const base = `${emu.loginUrl}/${GOOD_TENANT_ID}`;
    expect(body).toMatchObject({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      tenant_region_scope: 'WW',
    });
    expect(JSON.stringify(body)).not.toContain('88888888');
  });

  it('answers openid-configuration for an unknown tenant with the AADSTS90002 body', async () => {
    const res = await fetch(`${emu.loginUrl}/${UNKNOWN_TENANT_ID}/v2.0/.well-known/openid-configuration`);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect([body.error, body.error_codes]).toEqual(['invalid_tenant', [90002]]);
  });

  it('serves instance discovery naming the tenant discovery endpoint on the emulator', async () => {
    const authorize = `${emu.loginUrl}/${GOOD_TENANT_ID}/oauth2/v2.0/authorize`;
    const res = await fetch(`${emu.loginUrl}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(authorize)}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.tenant_discovery_endpoint).toBe(`${emu.loginUrl}/${GOOD_TENANT_ID}/v2.0/.well-known/openid-configuration`);
    expect(body.metadata[0].aliases).toEqual([new URL(emu.loginUrl).host]);
    expect(body['api-version']).toBe('1.1');
  });

  it('404s other login paths', async () => {
    expect((await fetch(`${emu.loginUrl}/${GOOD_TENANT_ID}/oauth2/v2.0/authorize`)).status).toBe(404);
  });
});
