/**
 * Entity sets over real HTTPS: page shapes against the doc fixtures, $select validation, paging
 * through $skiptoken, $filter/$orderby on modifiedon, $top/$count, formatted values and lookup
 * annotations, Prefer forms, privileges, faults, and a million-row table.
 */
import * as https from 'node:https';
import { startEmulator, type Emulator } from './index';
import { encodeSkiptoken } from './skiptoken';
import { tablesTestWorld } from './tables-testing';
import { fetchToken, json, readFixture } from './testing';
import { GOOD_USER_ID, type World } from './world';

let emu: Emulator;
let token: string;

const api = () => `${emu.orgUrl}/api/data/v9.2`;
const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const NAV = 'Microsoft.Dynamics.CRM.associatednavigationproperty';
const LOGICAL = 'Microsoft.Dynamics.CRM.lookuplogicalname';

/** Starts an emulator on the test entities (account 25 rows, contact 60, bank account 3, competitor 2). */
async function start(setup?: (world: World) => void): Promise<void> {
  const world = tablesTestWorld();
  world.org.tables = { account: { rowCount: 25 }, contact: { rowCount: 60 }, sample_bankaccount: { rowCount: 3 }, competitor: { rowCount: 2 } };
  setup?.(world);
  emu = await startEmulator({ world });
  token = await fetchToken(emu);
}

function get(pathOrUrl: string, prefer?: string): Promise<Response> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${api()}/${pathOrUrl}`;
  return fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'odata-version': '4.0', ...(prefer === undefined ? {} : { prefer }) } });
}

async function ok(pathOrUrl: string, prefer?: string): Promise<any> {
  const res = await get(pathOrUrl, prefer);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status} ${text}`);
  return JSON.parse(text);
}

/** A GET through node:https, where header arrays go out as separate header lines. */
function rawGet(path: string, headers: Record<string, string | string[]>): Promise<{ status: number; headers: Record<string, unknown>; rawHeaders: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${api()}/${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Follows nextLinks from `path`; returns every page body. */
async function allPages(path: string, prefer: string): Promise<any[]> {
  const pages = [await ok(path, prefer)];
  while (pages[pages.length - 1]['@odata.nextLink']) pages.push(await ok(pages[pages.length - 1]['@odata.nextLink'], prefer));
  return pages;
}

const ids = (page: any, key = 'accountid'): string[] => page.value.map((r: any) => r[key]);
const skiptokenOf = (link: string) => link.slice(link.indexOf('$skiptoken=') + '$skiptoken='.length);
/** A skiptoken with its GUIDs blanked, for comparing shapes with the fixtures. */
const cookieShape = (link: string) => skiptokenOf(link).replace(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/g, 'GUID');

describe('pages', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());

  it('answers like accounts-page1.json: context, count and total-count annotations, rows of etag + selected + key, nextLink', async () => {
    const res = await get('accounts?$select=name&$count=true', 'odata.maxpagesize=3,odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    expect(res.headers.get('odata-version')).toBe('4.0');
    expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=3, odata.include-annotations="Microsoft.Dynamics.CRM.totalrecordcount,Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"');
    const body = await json(res);
    const fixture = readFixture('accounts-page1.json');
    expect(Object.keys(body)).toEqual(Object.keys(fixture));
    expect(body['@odata.context']).toBe(`${emu.orgUrl}/api/data/v9.2/$metadata#accounts(name)`);
    expect(body['@odata.count']).toBe(25);
    expect(body['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(25);
    expect(body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(false);
    const rows = emu.tables.rows('account');
    expect(body.value).toEqual(rows.slice(0, 3).map((r) => ({ '@odata.etag': r['@odata.etag'], name: r.name, accountid: r.accountid })));
    body.value.forEach((row: any, i: number) => expect(Object.keys(row)).toEqual(Object.keys(fixture.value[i])));
    expect(body.value[0]['@odata.etag']).toMatch(/^W\/"\d+"$/);
    expect(body['@odata.nextLink'].startsWith(`${emu.orgUrl}/api/data/v9.2/accounts?$select=name&$count=true&$skiptoken=`)).toBe(true);
    expect(cookieShape(body['@odata.nextLink'])).toBe(cookieShape(fixture['@odata.nextLink']));
    const [first, , last] = ids(body).map((id) => id.toUpperCase());
    expect(skiptokenOf(body['@odata.nextLink'])).toContain(`last%253d%2522%257b${last}%257d%2522%2520first%253d%2522%257b${first}%257d`);
  });

  it('numbers the cookie of page 2 like accounts-page2.json and ends without a nextLink like accounts-page-last.json', async () => {
    const pages = await allPages('accounts?$select=name', 'odata.maxpagesize=10');
    expect(pages.map((p) => p.value.length)).toEqual([10, 10, 5]);
    expect(cookieShape(pages[1]['@odata.nextLink'])).toBe(cookieShape(readFixture('accounts-page2.json')['@odata.nextLink']));
    expect(Object.keys(pages[2])).toEqual(Object.keys(readFixture('accounts-page-last.json')).filter((k) => !k.includes('count')));
  });

  it('pages a table through many pages: exactly rowCount distinct ids, in key order, same page size applied on every page', async () => {
    const prefer = 'odata.maxpagesize=7';
    let link: string | undefined = 'contacts?$select=fullname';
    const seen: string[] = [];
    let pages = 0;
    while (link) {
      const res = await get(link, prefer);
      expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=7');
      const body = await json(res);
      expect(Object.keys(body)).toEqual(body['@odata.nextLink'] ? Object.keys(readFixture('contacts-page1.json')) : ['@odata.context', 'value']);
      seen.push(...ids(body, 'contactid'));
      link = body['@odata.nextLink'];
      pages++;
    }
    expect(pages).toBe(9);
    expect(seen).toEqual(emu.tables.rows('contact').map((r) => r.contactid));
    expect(new Set(seen).size).toBe(60);
  });

  it('pages 5000 rows by default and clamps larger maxpagesize values to 5000', async () => {
    emu.tables.define('sample_bankaccount', { rowCount: 5003 });
    const first = await get('sample_bankaccounts?$select=sample_name');
    expect(first.headers.get('preference-applied')).toBeNull();
    const body = await json(first);
    expect(body.value).toHaveLength(5000);
    const second = await ok(body['@odata.nextLink']);
    expect(second.value).toHaveLength(3);
    expect(second['@odata.nextLink']).toBeUndefined();
    const clamped = await get('sample_bankaccounts?$select=sample_name', 'odata.maxpagesize=9000');
    expect(clamped.headers.get('preference-applied')).toBe('odata.maxpagesize=5000');
    expect((await json(clamped)).value).toHaveLength(5000);
    emu.tables.define('sample_bankaccount', { rowCount: 3 });
  });

  it('applies $top without maxpagesize (no nextLink) and ignores it with maxpagesize', async () => {
    const top = await ok('accounts?$select=name&$top=4');
    expect(ids(top)).toEqual(emu.tables.rows('account').slice(0, 4).map((r) => r.accountid));
    expect(top['@odata.nextLink']).toBeUndefined();
    const paged = await ok('accounts?$select=name&$top=4', 'odata.maxpagesize=6');
    expect(paged.value).toHaveLength(6);
    expect(paged['@odata.nextLink']).toContain('$top=4&$skiptoken=');
  });

  it('returns every column but image and file without $select, in attribute order', async () => {
    const body = await ok('accounts?$top=1');
    expect(body['@odata.context']).toBe(`${emu.orgUrl}/api/data/v9.2/$metadata#accounts`);
    expect(Object.keys(body.value[0])).toEqual([
      '@odata.etag',
      'accountid',
      'name',
      'emailaddress1',
      'telephone1',
      'description',
      'sharesoutstanding',
      'exchangerate',
      'address1_longitude',
      'revenue',
      'revenue_base',
      'creditonhold',
      'lastusedincampaign',
      'new_foundedon',
      '_transactioncurrencyid_value',
      '_primarycontactid_value',
      'customertypecode',
      'industrycode',
      'new_tags',
      'createdon',
      'modifiedon',
      'versionnumber',
      '_ownerid_value',
      'statecode',
      'statuscode',
    ]);
  });

  it('gives each type its JSON form', async () => {
    const rows = (await ok('accounts?$select=accountid,name,sharesoutstanding,revenue,creditonhold,modifiedon,new_foundedon,_ownerid_value,customertypecode,new_tags,statecode,statuscode,versionnumber')).value;
    for (const r of rows) {
      expect(r.accountid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(typeof r.name).toBe('string');
      expect(r.sharesoutstanding === null || Number.isInteger(r.sharesoutstanding)).toBe(true);
      expect(r.revenue === null || typeof r.revenue === 'number').toBe(true);
      expect(r.creditonhold === null || typeof r.creditonhold === 'boolean').toBe(true);
      expect(r.modifiedon).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(r.new_foundedon === null || /^\d{4}-\d{2}-\d{2}$/.test(r.new_foundedon)).toBe(true);
      expect(r._ownerid_value).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.customertypecode === null || [1, 2, 3, 11].includes(r.customertypecode)).toBe(true);
      expect(r.new_tags === null || /^[1-4](,[1-4])*$/.test(r.new_tags)).toBe(true);
      expect([0, 1]).toContain(r.statecode);
      expect(r.statuscode).toBe(r.statecode === 0 ? 1 : 2);
      expect(r['@odata.etag']).toBe(`W/"${r.versionnumber}"`);
    }
    expect(rows.some((r: any) => r.revenue === null)).toBe(true);
  });

  it('returns the primary key when not selected, after the selected columns, and money brings the currency', async () => {
    const row = (await ok('accounts?$select=revenue,name&$top=1')).value[0];
    expect(Object.keys(row)).toEqual(['@odata.etag', 'revenue', 'name', '_transactioncurrencyid_value', 'accountid']);
    expect(row._transactioncurrencyid_value).toBe('228f42f8-e646-e111-8eb7-78e7d162ced1');
  });

  it('returns image and file columns only when selected', async () => {
    const rows = (await ok('accounts?$select=entityimage,new_contract')).value;
    expect(rows.every((r: any) => Object.keys(r).join() === '@odata.etag,entityimage,new_contract,accountid')).toBe(true);
    expect(rows.some((r: any) => typeof r.entityimage === 'string')).toBe(true);
    expect(rows.some((r: any) => r.entityimage === null)).toBe(true);
    expect(rows.filter((r: any) => r.new_contract !== null).every((r: any) => /^[0-9a-f-]{36}$/.test(r.new_contract))).toBe(true);
  });

  it('answers a bad $select with fixture error-400-bad-select.json', async () => {
    const res = await get('accounts?$select=Name');
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual(readFixture('error-400-bad-select.json'));
  });

  it.each(['industrycodename', 'transactioncurrencyidname', 'owneridtype', 'primarycontactid', 'new_secret', 'ownerid'])('refuses $select=%s (shadow, navigation or unreadable)', async (name) => {
    const res = await get(`accounts?$select=name,${name}`);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: { code: '0x0', message: `Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.account'.` } });
  });

  it('answers an unknown entity set with 404 0x80060888, and an entity without a table with no rows', async () => {
    const res = await get('nosuchthings?$select=name');
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { code: '0x80060888', message: "Resource not found for the segment 'nosuchthings'." } });
    const tables = emu.world.org.tables;
    emu.world.org.tables = { account: { rowCount: 25 } };
    try {
      expect(await ok('contacts?$select=fullname')).toEqual({ '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#contacts(fullname)`, value: [] });
    } finally {
      emu.world.org.tables = tables;
    }
  });

  it('refuses query options it does not implement, and a bad $top or $count', async () => {
    for (const [query, message] of [
      ['$skip=5', "The emulator does not support the query option '$skip' on entity sets."],
      ['$expand=primarycontactid', "The emulator does not support the query option '$expand' on entity sets."],
      ['$top=x', "Invalid value 'x' for $top query option found. The $top query option requires a non-negative integer value."],
      ['$count=yes', "'yes' is not a valid count option."],
    ]) {
      const res = await get(`accounts?${query}`);
      expect(res.status).toBe(400);
      expect(await json(res)).toEqual({ error: { code: '0x0', message } });
    }
  });

  it('counts up to 5000 and says when the limit is exceeded', async () => {
    emu.tables.define('sample_bankaccount', { rowCount: 5001 });
    const body = await ok('sample_bankaccounts?$select=sample_name&$count=true', 'odata.maxpagesize=1,odata.include-annotations="*"');
    expect(body['@odata.count']).toBe(5000);
    expect(body['@Microsoft.Dynamics.CRM.totalrecordcount']).toBe(5000);
    expect(body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded']).toBe(true);
    emu.tables.define('sample_bankaccount', { rowCount: 3 });
  });
});

describe('skiptoken', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());

  it('continues after the row the cookie names, even when rows were deleted or inserted meanwhile', async () => {
    const page1 = await ok('accounts?$select=name', 'odata.maxpagesize=5');
    const all = emu.tables.rows('account').map((r) => r.accountid as string);
    emu.tables.delete('account', [all[4], all[5]]);
    const [inserted] = emu.tables.insert('account', 1);
    const rest = (await allPages(page1['@odata.nextLink'], 'odata.maxpagesize=5')).flatMap((p) => ids(p));
    expect(rest).toEqual([...all.slice(6), inserted]);
  });

  it.each([
    ['garbled', () => 'garbage'],
    ['a GUID changed', (link: string) => skiptokenOf(link).replace(/%257b([0-9A-F])/, (_m, c: string) => `%257b${c === 'A' ? 'B' : 'A'}`)],
    ['another entity\'s key element', (link: string) => skiptokenOf(link).replace(/accountid/g, 'contactid')],
  ])('answers a %s skiptoken with 400', async (_name, tamper) => {
    const page1 = await ok('accounts?$select=name', 'odata.maxpagesize=5');
    const res = await get(`accounts?$select=name&$skiptoken=${tamper(page1['@odata.nextLink'])}`, 'odata.maxpagesize=5');
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: { code: '0x0', message: 'The $skiptoken value is not a valid paging cookie.' } });
  });
});

describe('$filter and $orderby on modifiedon', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());

  // Base row i of a table has modifiedon 2023-01-01T00:00:00Z + i minutes.
  const at = (minute: number) => new Date(Date.parse('2023-01-01T00:00:00Z') + minute * 60_000).toISOString().replace('.000', '');
  const accountIds = (indexes: number[]) => indexes.map((i) => emu.tables.idAt('account', i));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

  it.each([
    [`modifiedon ge ${at(10)}`, range(10, 25)],
    [`modifiedon gt ${at(10)}`, range(11, 25)],
    [`modifiedon le ${at(3)}`, range(0, 4)],
    [`modifiedon lt ${at(3)}`, range(0, 3)],
    [`modifiedon eq ${at(7)}`, [7]],
    [`modifiedon ge ${at(5)} and modifiedon lt ${at(9)}`, range(5, 9)],
    [`modifiedon gt 2023-01-01T00:04:30Z`, range(5, 25)],
    [`modifiedon ge 2030-01-01T00:00:00Z`, []],
  ])('$filter=%s', async (filter, expected) => {
    const body = await ok(`accounts?$select=modifiedon&$filter=${encodeURIComponent(filter)}&$count=true`);
    expect(ids(body)).toEqual(accountIds(expected));
    expect(body['@odata.count']).toBe(expected.length);
    expect(body.value.every((r: any) => r.modifiedon.length === 20)).toBe(true);
  });

  it('answers filter errors with 400', async () => {
    const res = await get(`accounts?$filter=${encodeURIComponent("modifiedon ge '2023-01-01T00:00:00Z'")}`);
    expect(res.status).toBe(400);
    expect((await json(res)).error.message).toBe("A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'.");
  });

  it('orders updated rows by their new modifiedon; a cursor filter then finds exactly them; paging by modifiedon keeps every row once', async () => {
    emu.tables.setClock('2025-02-01T00:00:00Z');
    const first = emu.tables.update('account', [emu.tables.idAt('account', 3)]);
    emu.tables.advance(60);
    const second = emu.tables.update('account', [emu.tables.idAt('account', 1)]);
    const changed = await ok(`accounts?$select=modifiedon&$filter=${encodeURIComponent('modifiedon ge 2025-02-01T00:00:00Z')}&$orderby=modifiedon asc,accountid asc`);
    expect(ids(changed)).toEqual([...first, ...second]);
    expect(changed.value.map((r: any) => r.modifiedon)).toEqual(['2025-02-01T00:00:00Z', '2025-02-01T00:01:00Z']);

    const pages = await allPages('accounts?$select=modifiedon&$orderby=modifiedon', 'odata.maxpagesize=4');
    const seen = pages.flatMap((p) => ids(p));
    expect(seen).toEqual(accountIds([0, 2, ...range(4, 25), 3, 1]));
    // page 1 is rows 0, 2, 4, 5 (1 and 3 moved to the end)
    expect(skiptokenOf(pages[0]['@odata.nextLink'])).toContain('%253cmodifiedon%2520last%253d%25222023-01-01T00%253a05%253a00Z%2522%2520first%253d%25222023-01-01T00%253a00%253a00Z%2522%2520%252f%253e');
    const inKeyOrder = (await allPages('accounts?$select=modifiedon', 'odata.maxpagesize=4')).flatMap((p) => ids(p));
    expect(inKeyOrder).toEqual(accountIds(range(0, 25)));
  });

  it('keeps the filter in the nextLink and pages through a filtered range', async () => {
    const filter = encodeURIComponent(`modifiedon ge ${at(6)}`);
    const pages = await allPages(`accounts?$select=name&$filter=${filter}`, 'odata.maxpagesize=5');
    expect(pages[0]['@odata.nextLink']).toContain(`$filter=${filter}&$skiptoken=`);
    // rows 1 and 3 were updated to 2025 by the test before
    expect(pages.flatMap((p) => ids(p))).toEqual(accountIds([1, 3, ...range(6, 25)]));
  });
});

describe('annotations', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());

  it('emits formatted values before each value as accounts-formatted-values.json does', async () => {
    emu.tables.setClock('2023-04-07T21:59:01Z');
    const [id] = emu.tables.update('account', [emu.tables.idAt('account', 0)], { name: 'Litware, Inc. (sample)', revenue: 20000, customertypecode: 1 });
    const fixture = readFixture('accounts-formatted-values.json').value[0];
    const body = await ok('accounts?$select=name,revenue,_primarycontactid_value,customertypecode,modifiedon&$top=1', `odata.include-annotations="${FORMATTED}"`);
    const row = body.value[0];
    expect(Object.keys(row)).toEqual(Object.keys(fixture));
    expect(row.accountid).toBe(id);
    for (const key of ['name', 'revenue', `revenue@${FORMATTED}`, 'customertypecode', `customertypecode@${FORMATTED}`, 'modifiedon', '_transactioncurrencyid_value', `_transactioncurrencyid_value@${FORMATTED}`]) {
      expect([key, row[key]]).toEqual([key, fixture[key]]);
    }
    // [INF] the emulated user is on UTC; the docs' user was on UTC-7 ("2:59 PM").
    expect(row[`modifiedon@${FORMATTED}`]).toBe('4/7/2023 9:59 PM');
    const contactRow = emu.tables.rows('contact').find((c) => c.contactid === row._primarycontactid_value);
    expect(row[`_primarycontactid_value@${FORMATTED}`]).toBe(contactRow?.fullname);
  });

  it('labels booleans, choices, multi-selects, money, integers and dates', async () => {
    const [id] = emu.tables.update('account', [emu.tables.idAt('account', 2)], { creditonhold: true, industrycode: 2, new_tags: '1,4', revenue_base: 1234.5, sharesoutstanding: 9500, new_foundedon: '2021-03-04', statecode: 1, statuscode: 2 });
    const row = (await ok(`accounts?$select=creditonhold,industrycode,new_tags,revenue_base,sharesoutstanding,new_foundedon,statecode,statuscode&$filter=${encodeURIComponent('modifiedon ge 2023-04-07T00:00:00Z')}&$orderby=modifiedon`, 'odata.include-annotations="*"')).value.find((r: any) => r.accountid === id);
    expect(row).toEqual({
      '@odata.etag': expect.stringMatching(/^W\/"\d+"$/),
      [`creditonhold@${FORMATTED}`]: 'Yes',
      creditonhold: true,
      [`industrycode@${FORMATTED}`]: 'Agriculture and Non-petrol Natural Resource Extraction',
      industrycode: 2,
      [`new_tags@${FORMATTED}`]: 'Red; Gold',
      new_tags: '1,4',
      [`revenue_base@${FORMATTED}`]: '$1,234.50',
      revenue_base: 1234.5,
      [`sharesoutstanding@${FORMATTED}`]: '9,500',
      sharesoutstanding: 9500,
      [`new_foundedon@${FORMATTED}`]: '3/4/2021',
      new_foundedon: '2021-03-04',
      [`statecode@${FORMATTED}`]: 'Inactive',
      statecode: 1,
      [`statuscode@${FORMATTED}`]: 'Inactive',
      statuscode: 2,
      // a Money column brings the currency lookup
      [`_transactioncurrencyid_value@${FORMATTED}`]: 'US Dollar',
      [`_transactioncurrencyid_value@${NAV}`]: 'transactioncurrencyid',
      [`_transactioncurrencyid_value@${LOGICAL}`]: 'transactioncurrency',
      _transactioncurrencyid_value: '228f42f8-e646-e111-8eb7-78e7d162ced1',
      accountid: id,
    });
  });

  it('labels multi-select values as contacts-multiselect-values.json does', async () => {
    const fixture = readFixture('contacts-multiselect-values.json').value;
    const targets = [emu.tables.idAt('contact', 0), emu.tables.idAt('contact', 1)];
    emu.tables.update('contact', [targets[0]], { fullname: fixture[0].fullname, sample_outdooractivities: fixture[0].sample_outdooractivities });
    emu.tables.update('contact', [targets[1]], { fullname: fixture[1].fullname, sample_outdooractivities: fixture[1].sample_outdooractivities });
    const rows = (await ok('contacts?$select=fullname,sample_outdooractivities&$top=2', `odata.include-annotations="${FORMATTED}"`)).value;
    rows.forEach((row: any, i: number) => {
      expect(Object.keys(row)).toEqual(Object.keys(fixture[i]));
      expect({ ...row, '@odata.etag': null, contactid: null }).toEqual({ ...fixture[i], '@odata.etag': null, contactid: null });
      expect(row.contactid).toBe(targets[i]);
    });
  });

  it('adds lookup annotations as accounts-lookup-annotations.json does, only for the terms asked', async () => {
    const fixture = readFixture('accounts-lookup-annotations.json');
    const body = await ok('accounts?$select=name,_ownerid_value', `odata.include-annotations="${NAV},${LOGICAL}"`);
    expect(body['@odata.context']).toBe(`${emu.orgUrl}/api/data/v9.2/$metadata#accounts(name,_ownerid_value)`);
    for (const row of body.value) {
      expect(Object.keys(row)).toEqual(Object.keys(fixture.value[0]));
      expect(row[`_ownerid_value@${NAV}`]).toBe('ownerid');
      expect(['systemuser', 'team']).toContain(row[`_ownerid_value@${LOGICAL}`]);
    }
    expect(new Set(body.value.map((r: any) => r[`_ownerid_value@${LOGICAL}`]))).toEqual(new Set(['systemuser', 'team']));
    const star = (await ok('accounts?$select=_ownerid_value&$top=1', 'odata.include-annotations="*"')).value[0];
    expect(Object.keys(star)).toEqual(['@odata.etag', `_ownerid_value@${FORMATTED}`, `_ownerid_value@${NAV}`, `_ownerid_value@${LOGICAL}`, '_ownerid_value', 'accountid']);
    const none = (await ok('accounts?$select=_ownerid_value&$top=1')).value[0];
    expect(Object.keys(none)).toEqual(['@odata.etag', '_ownerid_value', 'accountid']);
  });

  it('names Customer lookups\' navigation property per target table', async () => {
    const rows = (await ok('contacts?$select=_parentcustomerid_value', 'odata.include-annotations="*"')).value.filter((r: any) => r._parentcustomerid_value !== null);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row[`_parentcustomerid_value@${NAV}`]).toBe(`parentcustomerid_${row[`_parentcustomerid_value@${LOGICAL}`]}`);
  });

  it('reads several preferences alike from one comma-joined Prefer and from separate Prefer header lines', async () => {
    const path = 'accounts?$select=name,revenue';
    const joined = await rawGet(path, { prefer: `odata.maxpagesize=2, odata.include-annotations="${FORMATTED}"` });
    const separate = await rawGet(path, { prefer: ['odata.maxpagesize=2', `odata.include-annotations="${FORMATTED}"`] });
    expect(separate.rawHeaders.filter((h) => h.toLowerCase() === 'preference-applied')).toHaveLength(2);
    expect(separate.headers['preference-applied']).toBe(`odata.maxpagesize=2, odata.include-annotations="${FORMATTED}"`);
    expect(joined.status).toBe(200);
    expect(separate.body).toBe(joined.body);
    const body = JSON.parse(joined.body);
    expect(body.value).toHaveLength(2);
    expect(Object.keys(body.value[0])).toContain(`revenue@${FORMATTED}`);
  });
});

describe('privileges', () => {
  afterEach(() => emu.close());

  it('answers an entity the role cannot read with fixture error-privilege-denied.json', async () => {
    await start((world) => {
      world.org.entities.account.readDenied = true;
    });
    const res = await get('accounts?$select=name');
    expect(res.status).toBe(403);
    expect(await json(res)).toEqual(readFixture('error-privilege-denied.json'));
  });

  it('names the entity, its OTC and prvRead privilege', async () => {
    await start();
    const res = await get('competitors?$select=name');
    expect(res.status).toBe(403);
    const body = await json(res);
    expect(body.error.code).toBe('0x80040220');
    expect(body.error.message).toMatch(
      new RegExp(`^Principal user \\(Id=${GOOD_USER_ID}, type=8, roleCount=1, privilegeCount=0, accessMode=4\\), is missing prvReadCompetitor privilege \\(Id=[0-9a-f-]{36}\\) on OTC=123 for entity 'competitor'\\.$`),
    );
  });
});

describe('faults on entity pages', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());
  afterEach(() => emu.faults.clear());

  it('throttles the second page, then serves it unchanged', async () => {
    const page1 = await ok('contacts?$select=fullname', 'odata.maxpagesize=10');
    const expected = await ok(page1['@odata.nextLink'], 'odata.maxpagesize=10');
    const handle = emu.faults.add({ target: 'org', path: '$skiptoken=', action: { kind: 'throttle', code: 'requests', retryAfterSeconds: 3 } });
    const throttled = await get(page1['@odata.nextLink'], 'odata.maxpagesize=10');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect(await json(throttled)).toEqual(readFixture('error-throttle-429.json'));
    expect(await ok(page1['@odata.nextLink'], 'odata.maxpagesize=10')).toEqual(expected);
    expect(handle.hits).toBe(1);
  });

  it('cuts a page body short (truncate) and resets mid-body', async () => {
    emu.faults.add({ target: 'org', path: '/contacts?', action: { kind: 'truncate' } });
    await expect(get('contacts?$select=fullname').then((r) => r.text())).rejects.toThrow();
    emu.faults.add({ target: 'org', path: '/contacts?', action: { kind: 'reset', afterBytes: 100 } });
    await expect(get('contacts?$select=fullname').then((r) => r.text())).rejects.toThrow();
    emu.faults.add({ target: 'org', path: '/contacts?', action: { kind: 'malformed' } });
    await expect(get('contacts?$select=fullname').then((r) => r.json())).rejects.toThrow('is not valid JSON');
    expect((await ok('contacts?$select=fullname')).value).toHaveLength(60);
  });
});

describe('a million-row table', () => {
  beforeAll(() => start((world) => (world.org.tables = { contact: { rowCount: 1_000_000 } })));
  afterAll(() => emu.close());

  it('serves pages of 5000 at the start and deep inside without materializing the table', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const prefer = 'odata.maxpagesize=5000';
    let link = 'contacts';
    const seen: string[] = [];
    for (let page = 0; page < 3; page++) {
      const body = await ok(link, prefer);
      expect(body.value).toHaveLength(5000);
      seen.push(...ids(body, 'contactid'));
      link = body['@odata.nextLink'];
    }
    expect(seen).toHaveLength(15_000);
    expect(new Set(seen).size).toBe(15_000);
    expect(seen[0]).toBe(emu.tables.idAt('contact', 0));
    expect(seen[14_999]).toBe(emu.tables.idAt('contact', 14_999));
    // Speed per page is for npm run bench; here: right rows, no table materialised (heap check below).

    // Jump to row 900,000 with a cookie naming row 899,999: same cost as page 1.
    const cookie = encodeSkiptoken({ pageNumber: 181, tracking: false, primaryKey: 'contactid', first: emu.tables.idAt('contact', 895_000), last: emu.tables.idAt('contact', 899_999) });
    const deep = await ok(`contacts?$select=fullname,modifiedon&$skiptoken=${cookie}`, prefer);
    expect(deep.value[0].contactid).toBe(emu.tables.idAt('contact', 900_000));
    expect(deep.value[0].modifiedon).toBe(new Date(Date.parse('2023-01-01T00:00:00Z') + 900_000 * 60_000).toISOString().replace('.000', ''));
    const last = await ok(`contacts?$select=fullname&$skiptoken=${encodeSkiptoken({ pageNumber: 200, tracking: false, primaryKey: 'contactid', first: emu.tables.idAt('contact', 990_000), last: emu.tables.idAt('contact', 994_999) })}`, prefer);
    expect(last.value).toHaveLength(5000);
    expect(last['@odata.nextLink']).toBeUndefined();
    expect(last.value[4999].contactid).toBe(emu.tables.idAt('contact', 999_999));

    const count = await ok(`contacts?$select=fullname&$count=true&$filter=${encodeURIComponent('modifiedon ge 2024-01-01T00:00:00Z')}`, 'odata.maxpagesize=1');
    expect(count['@odata.count']).toBe(5000);
    // Nothing per row is kept: the heap does not grow by anything near a million rows' worth.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('inside $batch', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());

  it('answers an entity-set GET part with the same body as a direct GET', async () => {
    const path = '/api/data/v9.2/accounts?$select=name&$top=2';
    const direct = await (await get(`accounts?$select=name&$top=2`)).text();
    const boundary = 'batch_4c1d';
    const body = `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${path} HTTP/1.1\r\n\r\n--${boundary}--\r\n`;
    const res = await fetch(`${api()}/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': `multipart/mixed; boundary="${boundary}"` },
      body,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('HTTP/1.1 200 OK');
    expect(text).toContain(direct);
  });
});
