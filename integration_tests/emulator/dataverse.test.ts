/** The emulated Dataverse Web API: auth outcomes, WhoAmI, organizations, RetrieveCurrentOrganization. */
import {
  GOOD_CLIENT_ID,
  GOOD_CLIENT_SECRET,
  GOOD_TENANT_ID,
  GOOD_USER_ID,
  NO_APP_USER_CLIENT_ID,
  NO_APP_USER_CLIENT_SECRET,
  NO_ROLES_CLIENT_ID,
  NO_ROLES_CLIENT_SECRET,
  NO_ROLES_USER_ID,
  OTHER_TENANT_ID,
  startEmulator,
  type Emulator,
} from './index';
import { fetchToken, json } from './testing';

let emu: Emulator;
let token: string;

const tokenFor = (tenant: string, clientId: string, secret: string) => fetchToken(emu, { tenant, clientId, secret });

function api(path: string, init: { token?: string | null; headers?: Record<string, string>; method?: string } = {}): Promise<Response> {
  const bearer = init.token === undefined ? token : init.token;
  return fetch(`${emu.orgUrl}/api/data/v9.2/${path}`, {
    method: init.method ?? 'GET',
    headers: { accept: 'application/json', 'odata-version': '4.0', 'odata-maxversion': '4.0', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...init.headers },
  });
}

beforeAll(async () => {
  emu = await startEmulator();
  token = await tokenFor(GOOD_TENANT_ID, GOOD_CLIENT_ID, GOOD_CLIENT_SECRET);
});
afterAll(() => emu.close());

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const RCO_ALIAS = "RetrieveCurrentOrganization(AccessType=@p1)?@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Default'";

describe('WhoAmI', () => {
  it('returns the application user, business unit and org ids with the Web API headers', async () => {
    const res = await api('WhoAmI');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    expect(res.headers.get('odata-version')).toBe('4.0');
    expect(res.headers.get('x-ms-service-request-id')).toMatch(GUID);
    expect(res.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')).toBe('1,200.00');
    expect(await json(res)).toEqual({
      '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: '1647bf36-e90a-4c4d-9b61-969d57ce7a66',
      UserId: GOOD_USER_ID,
      OrganizationId: 'f2c9290b-0806-4d48-bf9c-3814d4286755',
    });
  });

  it('counts the burst budget down per request', async () => {
    const first = Number((await api('WhoAmI')).headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'));
    const second = Number((await api('WhoAmI')).headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'));
    expect(second).toBe(first - 1);
  });

  it('answers POST with the Web API 404 of fixture error-404-wrong-method.json', async () => {
    const res = await api('WhoAmI', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { code: '', message: `No HTTP resource was found that matches the request URI '${emu.orgUrl}/api/data/v9.2/WhoAmI'.` } });
  });
});

describe('authentication and authorization', () => {
  const challenge = () => `authorization_uri=${emu.loginUrl}/${GOOD_TENANT_ID}/oauth2/authorize, resource_id=${emu.orgUrl}/`;

  it('401s a request without a token: empty body, challenge without an error', async () => {
    const res = await api('WhoAmI', { token: null });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer ${challenge()}`);
    expect(await res.text()).toBe('');
  });

  it('401s a token the emulator never issued with error=invalid_token', async () => {
    const res = await api('WhoAmI', { token: 'eyJ0eXAiOiJKV1QifQ.e30.forged' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer error=invalid_token, error_description=Error during token validation!, ${challenge()}`);
    expect(await res.text()).toBe('');
  });

  it('401s an expired token', async () => {
    emu.world.tokenLifetimeSeconds = 0;
    let expired: string;
    try {
      expired = await tokenFor(GOOD_TENANT_ID, GOOD_CLIENT_ID, GOOD_CLIENT_SECRET);
    } finally {
      emu.world.tokenLifetimeSeconds = 3599;
    }
    const res = await api('WhoAmI', { token: expired });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error=invalid_token');
  });

  it('403s 0x80072560 for a valid token from another tenant', async () => {
    const foreign = await tokenFor(OTHER_TENANT_ID, GOOD_CLIENT_ID, GOOD_CLIENT_SECRET);
    const res = await api('WhoAmI', { token: foreign });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: { code: '0x80072560', message: 'The user is not a member of the organization.' } });
  });

  it('403s 0x80072560 for an app without an application user', async () => {
    const res = await api('organizations', { token: await tokenFor(GOOD_TENANT_ID, NO_APP_USER_CLIENT_ID, NO_APP_USER_CLIENT_SECRET) });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({ error: { code: '0x80072560', message: 'The user is not a member of the organization.' } });
  });

  it('403s 0x80042f09 naming the user for an application user without roles', async () => {
    const res = await api('WhoAmI', { token: await tokenFor(GOOD_TENANT_ID, NO_ROLES_CLIENT_ID, NO_ROLES_CLIENT_SECRET) });
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual({
      error: {
        code: '0x80042f09',
        message: `SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user. Returned hr = -2147209463, User: ${NO_ROLES_USER_ID}`,
      },
    });
  });

  it('authenticates before routing: an unknown path without a token is a 401, not a 404', async () => {
    expect((await api('accounts', { token: null })).status).toBe(401);
  });
});

describe('organizations', () => {
  it('returns the one row with every column and no annotations when nothing is selected or preferred', async () => {
    const res = await api('organizations');
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBeNull();
    const body = await json(res);
    expect(body['@odata.context']).toBe(`${emu.orgUrl}/api/data/v9.2/$metadata#organizations`);
    expect(body.value).toHaveLength(1);
    const [row] = body.value;
    expect(Object.keys(row)).toEqual([
      '@odata.etag',
      'organizationid',
      'name',
      'languagecode',
      'localeid',
      '_basecurrencyid_value',
      'currencysymbol',
      'fiscalcalendarstart',
      'fiscalperiodformat',
      'isfiscalperiodmonthbased',
      'isauditenabled',
      'expirechangetrackingindays',
      'maxuploadfilesize',
      'timezoneruleversionnumber',
      'uniquespecifierlength',
    ]);
    expect(row).toMatchObject({ '@odata.etag': 'W/"77676290"', name: 'Contoso', languagecode: 1033, expirechangetrackingindays: 7 });
  });

  it('honours $select like the fixture: selected columns in order, then the primary key', async () => {
    const body = await json(await api('organizations?$select=maxuploadfilesize'));
    expect(body).toEqual({
      '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#organizations(maxuploadfilesize)`,
      value: [{ '@odata.etag': 'W/"77676290"', maxuploadfilesize: 5242880, organizationid: 'f2c9290b-0806-4d48-bf9c-3814d4286755' }],
    });
  });

  it('adds every annotation of fixture organizations.json with include-annotations="*"', async () => {
    const select = 'organizationid,name,languagecode,localeid,_basecurrencyid_value,currencysymbol,fiscalcalendarstart,isauditenabled,expirechangetrackingindays,maxuploadfilesize';
    const res = await api(`organizations?$select=${select}`, { headers: { prefer: 'odata.include-annotations="*"' } });
    expect(res.headers.get('preference-applied')).toBe('odata.include-annotations="*"');
    // fixtures/organizations.json of ../shared, with the emulator's org url
    expect(await json(res)).toEqual({
      '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#organizations(${select})`,
      value: [
        {
          '@odata.etag': 'W/"77676290"',
          organizationid: 'f2c9290b-0806-4d48-bf9c-3814d4286755',
          name: 'Contoso',
          languagecode: 1033,
          localeid: 1033,
          '_basecurrencyid_value@OData.Community.Display.V1.FormattedValue': 'US Dollar',
          '_basecurrencyid_value@Microsoft.Dynamics.CRM.associatednavigationproperty': 'basecurrencyid',
          '_basecurrencyid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'transactioncurrency',
          _basecurrencyid_value: '228f42f8-e646-e111-8eb7-78e7d162ced1',
          currencysymbol: '$',
          'fiscalcalendarstart@OData.Community.Display.V1.FormattedValue': '1/1/2023 8:00 AM',
          fiscalcalendarstart: '2023-01-01T08:00:00Z',
          isauditenabled: false,
          expirechangetrackingindays: 7,
          maxuploadfilesize: 5242880,
        },
      ],
    });
  });

  it('adds only formatted values when only they are asked for, and acknowledges maxpagesize', async () => {
    const res = await api('organizations?$select=_basecurrencyid_value', {
      headers: { prefer: 'odata.maxpagesize=50, odata.include-annotations="OData.Community.Display.V1.FormattedValue"' },
    });
    expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=50, odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
    const [row] = (await json(res)).value;
    expect(row).toEqual({
      '@odata.etag': 'W/"77676290"',
      '_basecurrencyid_value@OData.Community.Display.V1.FormattedValue': 'US Dollar',
      _basecurrencyid_value: '228f42f8-e646-e111-8eb7-78e7d162ced1',
      organizationid: 'f2c9290b-0806-4d48-bf9c-3814d4286755',
    });
  });

  it.each([
    ['Name', 'Name'],
    ['fiscalyearstartmonth', 'fiscalyearstartmonth'],
    ['basecurrencyid', 'basecurrencyid'],
    ['name,nope', 'nope'],
  ])('400s $select=%s naming %s like the service', async (select, missing) => {
    const res = await api(`organizations?$select=${select}`);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      error: { code: '0x0', message: `Could not find a property named '${missing}' on type 'Microsoft.Dynamics.CRM.organization'.` },
    });
  });
});

describe('RetrieveCurrentOrganization', () => {
  const expectedBody = () => ({
    '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`,
    Detail: {
      OrganizationId: 'f2c9290b-0806-4d48-bf9c-3814d4286755',
      FriendlyName: 'Contoso',
      OrganizationVersion: '9.2.24101.200',
      EnvironmentId: '0a5a3e2b-7c1d-4f6e-9b8a-2d3c4e5f6a7b',
      DatacenterId: '695014e1-bafd-4d7e-9d3d-2261d4aaf780',
      Geo: 'NA',
      TenantId: GOOD_TENANT_ID,
      UrlName: 'contoso-emu',
      UniqueName: 'unq0335df44f2c9290b08064d48bf9c3',
      State: 'Enabled',
      OrganizationType: 'Customer',
      SchemaType: 'Full',
      Endpoints: {
        Count: 3,
        IsReadOnly: false,
        Keys: ['WebApplication', 'OrganizationService', 'OrganizationDataService'],
        Values: [`${emu.orgUrl}/`, `${emu.orgUrl}/XRMServices/2011/Organization.svc`, `${emu.orgUrl}/XRMServices/2011/OrganizationData.svc`],
      },
    },
  });

  it('answers the parameter-alias form', async () => {
    const res = await api(RCO_ALIAS);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(expectedBody());
  });

  it('answers the inline form, percent-encoded or not', async () => {
    expect(await json(await api("RetrieveCurrentOrganization(AccessType=Microsoft.Dynamics.CRM.EndpointAccessType'Internet')"))).toEqual(expectedBody());
    expect(await json(await api('RetrieveCurrentOrganization(AccessType=Microsoft.Dynamics.CRM.EndpointAccessType%27Default%27)'))).toEqual(expectedBody());
  });

  it('omits OrganizationType when the world has none (older service versions)', async () => {
    const saved = emu.world.org.detail.OrganizationType;
    delete emu.world.org.detail.OrganizationType;
    try {
      const body = await json(await api(RCO_ALIAS));
      expect(body.Detail).not.toHaveProperty('OrganizationType');
    } finally {
      emu.world.org.detail.OrganizationType = saved;
    }
  });

  it.each([
    ['no parameter', 'RetrieveCurrentOrganization', "The parameter 'AccessType' of function 'Microsoft.Dynamics.CRM.RetrieveCurrentOrganization' is missing."],
    ['empty parentheses', 'RetrieveCurrentOrganization()', "The parameter 'AccessType' of function 'Microsoft.Dynamics.CRM.RetrieveCurrentOrganization' is missing."],
    ['alias without value', 'RetrieveCurrentOrganization(AccessType=@p1)', "The parameter alias '@p1' has no value in the request URI."],
    ['unqualified enum', "RetrieveCurrentOrganization(AccessType=@p1)?@p1='Default'", "The string ''Default'' is not a valid enumeration type constant."],
    ['unknown member', "RetrieveCurrentOrganization(AccessType=@p1)?@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Public'", "The string 'Microsoft.Dynamics.CRM.EndpointAccessType'Public'' is not a valid enumeration type constant."],
  ])('400s %s', async (_name, path, message) => {
    const res = await api(path);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: { code: '0x0', message } });
  });
});

describe('unknown resources', () => {
  it.each([
    // Not an entity set of the default world (which has accounts, contacts, ...).
    ['nosuchthings', 'nosuchthings'],
    ["nosuchthings(00000000-0000-0000-0000-000000000001)", 'nosuchthings'],
    ['whoami', 'whoami'],
  ])('404s %s as an unknown segment', async (path, segment) => {
    const res = await api(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('odata-version')).toBe('4.0');
    expect(await json(res)).toEqual({ error: { code: '0x80060888', message: `Resource not found for the segment '${segment}'.` } });
  });

  it('404s paths outside the Web API root with the no-resource message', async () => {
    const res = await fetch(`${emu.orgUrl}/api/data/v8.0/WhoAmI?x=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { code: '', message: `No HTTP resource was found that matches the request URI '${emu.orgUrl}/api/data/v8.0/WhoAmI?x=1'.` } });
  });
});

describe('determinism', () => {
  it('derives request ids from the seed', async () => {
    const ids = async (seed: number) => {
      const other = await startEmulator({ seed });
      try {
        const t = await fetchToken(other);
        const r1 = await fetch(`${other.orgUrl}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${t}` } });
        const r2 = await fetch(`${other.orgUrl}/api/data/v9.2/WhoAmI`, { headers: { authorization: `Bearer ${t}` } });
        return { ids: [r1.headers.get('x-ms-service-request-id'), r2.headers.get('x-ms-service-request-id')], token: t };
      } finally {
        await other.close();
      }
    };
    const a = await ids(7);
    const b = await ids(7);
    const c = await ids(8);
    expect(a.ids).toEqual(b.ids);
    expect(a.ids[0]).not.toBe(a.ids[1]);
    expect(c.ids[0]).not.toBe(a.ids[0]);
    // tokens are random per emulator, so a token of one run never works on another
    expect(a.token).not.toBe(b.token);
  });
});
