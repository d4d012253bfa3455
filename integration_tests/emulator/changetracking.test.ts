/**
 * Change tracking over real HTTPS (facts §6): the initial sync with its deltaLink on the last page,
 * deltas with exactly the updates, inserts and deletes made since, paging of deltas, no-change
 * deltas, expired tokens, entities without change tracking and the refused query options.
 */
import { startEmulator, type Emulator } from './index';
import { INITIAL_CHANGE_VERSION } from './tables';
import { tablesTestWorld } from './tables-testing';
import { fetchToken, json, readFixture } from './testing';
import type { World } from './world';

let emu: Emulator;
let token: string;

const api = () => `${emu.orgUrl}/api/data/v9.2`;
const TRACK = 'odata.track-changes';

async function start(setup?: (world: World) => void): Promise<void> {
  const world = tablesTestWorld();
  world.org.tables = { account: { rowCount: 25 }, sample_bankaccount: { rowCount: 3 } };
  setup?.(world);
  emu = await startEmulator({ world });
  token = await fetchToken(emu);
}

function get(pathOrUrl: string, prefer?: string): Promise<Response> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${api()}/${pathOrUrl}`;
  return fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(prefer === undefined ? {} : { prefer }) } });
}

async function ok(pathOrUrl: string, prefer?: string): Promise<any> {
  const res = await get(pathOrUrl, prefer);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status} ${text}`);
  return JSON.parse(text);
}

/** Follows nextLinks; returns every page. */
async function allPages(pathOrUrl: string, prefer?: string): Promise<any[]> {
  const pages = [await ok(pathOrUrl, prefer)];
  while (pages[pages.length - 1]['@odata.nextLink']) pages.push(await ok(pages[pages.length - 1]['@odata.nextLink'], prefer));
  return pages;
}

/** The deltaLink of the initial sync of `select` (all pages). */
async function initialSync(select = 'name,telephone1', prefer = TRACK): Promise<string> {
  const pages = await allPages(`accounts?$select=${select}`, prefer);
  return pages[pages.length - 1]['@odata.deltaLink'];
}

const deleted = (id: string) => ({ '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#accounts/$deletedEntity`, id, reason: 'deleted' });

describe('initial sync', () => {
  beforeAll(() => start());
  afterAll(() => emu.close());

  it('answers like delta-initial.json: context, deltaLink with the docs\' token form, rows; Preference-Applied track-changes', async () => {
    emu.tables.setClock('2017-08-22T08:10:44Z');
    const res = await get('accounts?$select=name,telephone1', TRACK);
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('odata.track-changes');
    const body = await json(res);
    const fixture = readFixture('delta-initial.json');
    expect(Object.keys(body)).toEqual(Object.keys(fixture));
    expect(body['@odata.context']).toBe(`${emu.orgUrl}/api/data/v9.2/$metadata#accounts(name,telephone1)`);
    expect(body['@odata.deltaLink']).toBe(`${emu.orgUrl}/api/data/v9.2/accounts?$select=name,telephone1&$deltatoken=${INITIAL_CHANGE_VERSION}%2108%2f22%2f2017%2008%3a10%3a44`);
    expect(body.value).toHaveLength(25);
    expect(Object.keys(body.value[0])).toEqual(['@odata.etag', 'name', 'telephone1', 'accountid']);
  });

  it('pages with istracking="True" cookies and puts the deltaLink on the last page only', async () => {
    const pages = await allPages('accounts?$select=name', `${TRACK}, odata.maxpagesize=10`);
    expect(pages.map((p) => p.value.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => Object.keys(p))).toEqual([
      ['@odata.context', 'value', '@odata.nextLink'],
      ['@odata.context', 'value', '@odata.nextLink'],
      ['@odata.context', '@odata.deltaLink', 'value'],
    ]);
    expect(pages[0]['@odata.nextLink']).toContain('istracking=%22True%22');
    expect(pages.flatMap((p) => p.value.map((r: any) => r.accountid))).toEqual(emu.tables.rows('account').map((r) => r.accountid));
  });
});

describe('deltas', () => {
  beforeEach(() => start());
  afterEach(() => emu.close());

  it('lists K updated (and inserted) rows, then D deletions, as delta-changes.json does; then nothing, as delta-nochanges.json', async () => {
    const deltaLink = await initialSync();
    emu.tables.advance(3600);
    const updated = emu.tables.update('account', 3);
    const inserted = emu.tables.insert('account', 1);
    const removed = emu.tables.delete('account', 2);
    expect(removed.some((id) => updated.includes(id))).toBe(false);

    const res = await get(deltaLink, TRACK);
    expect(res.status).toBe(200);
    const delta = await json(res);
    const fixture = readFixture('delta-changes.json');
    expect(Object.keys(delta)).toEqual(Object.keys(fixture));
    expect(delta['@odata.context']).toBe(`${emu.orgUrl}/api/data/v9.2/$metadata#accounts(name,telephone1)/$delta`);
    expect(delta.value).toHaveLength(3 + 1 + 2);
    const rows = new Map(emu.tables.rows('account').map((r) => [r.accountid, r]));
    expect(delta.value.slice(0, 4)).toEqual(
      [...updated, ...inserted].map((id) => {
        const r = rows.get(id) as Record<string, unknown>;
        return { '@odata.etag': r['@odata.etag'], name: r.name, telephone1: r.telephone1, accountid: id };
      }),
    );
    expect(delta.value.slice(4)).toEqual(removed.map(deleted));
    expect(Object.keys(delta.value[4])).toEqual(Object.keys(fixture.value[1]));
    expect(delta.value[0]['@odata.etag']).toBe(`W/"${INITIAL_CHANGE_VERSION + 1}"`);

    const next = delta['@odata.deltaLink'];
    expect(next).toBe(`${emu.orgUrl}/api/data/v9.2/accounts?$select=name,telephone1&$deltatoken=${INITIAL_CHANGE_VERSION + 6}%2101%2f01%2f2025%2001%3a00%3a00`);
    const none = await ok(next, TRACK);
    expect(Object.keys(none)).toEqual(Object.keys(readFixture('delta-nochanges.json')));
    expect(none).toEqual({ '@odata.context': delta['@odata.context'], '@odata.deltaLink': next, value: [] });
  });

  it('reports a row updated twice once, and an updated-then-deleted row only as deleted', async () => {
    const deltaLink = await initialSync('name');
    const [a, b] = emu.tables.update('account', 2);
    emu.tables.update('account', [a]);
    emu.tables.delete('account', [b]);
    const delta = await ok(deltaLink);
    expect(delta.value.map((v: any) => v.accountid ?? v.id)).toEqual([a, b]);
    expect(delta.value[1]).toEqual(deleted(b));
  });

  it('pages a delta with maxpagesize: nextLinks while more, the deltaLink on the last page, every change once', async () => {
    const deltaLink = await initialSync('name');
    const updated = emu.tables.update('account', 7);
    const removed = emu.tables.delete('account', 4);
    const pages = await allPages(deltaLink, 'odata.maxpagesize=3');
    expect(pages.map((p) => p.value.length)).toEqual([3, 3, 3, 2]);
    expect(pages.map((p) => Boolean(p['@odata.nextLink']))).toEqual([true, true, true, false]);
    expect(pages.map((p) => Boolean(p['@odata.deltaLink']))).toEqual([false, false, false, true]);
    expect(pages[0]['@odata.nextLink']).toContain('&$deltatoken=');
    expect(pages[0]['@odata.nextLink']).toContain('istracking=%22True%22');
    expect(pages.every((p) => p['@odata.context'].endsWith('#accounts(name)/$delta'))).toBe(true);
    expect(pages.flatMap((p) => p.value.map((v: any) => v.accountid ?? v.id))).toEqual([...updated, ...removed]);
  });

  it('keeps changes made while the initial sync pages for the next delta (snapshot at the first page)', async () => {
    const page1 = await ok('accounts?$select=name', `${TRACK}, odata.maxpagesize=10`);
    const early = page1.value[0].accountid;
    emu.tables.update('account', [early]);
    const rest = await allPages(page1['@odata.nextLink'], `${TRACK}, odata.maxpagesize=10`);
    const deltaLink = rest[rest.length - 1]['@odata.deltaLink'];
    expect(deltaLink).toContain(`$deltatoken=${INITIAL_CHANGE_VERSION}%21`);
    expect((await ok(deltaLink)).value.map((r: any) => r.accountid)).toEqual([early]);
  });

  it('applies $select and annotations to delta rows', async () => {
    const deltaLink = await initialSync('name,revenue');
    const [id] = emu.tables.update('account', 1, { revenue: 20000 });
    const delta = await ok(deltaLink, 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
    expect(delta.value[0]).toMatchObject({ 'revenue@OData.Community.Display.V1.FormattedValue': '$20,000.00', revenue: 20000, accountid: id });
  });
});

describe('errors', () => {
  afterEach(() => emu.close());

  const expectError = async (res: Response, status: number, body: unknown) => {
    expect(res.status).toBe(status);
    expect(await json(res)).toEqual(body);
  };

  it('answers an expired token (expireDeltaTokens) with fixture error-delta-token-expired.json; a token issued after works', async () => {
    await start();
    const deltaLink = await initialSync();
    emu.tables.expireDeltaTokens('account');
    await expectError(await get(deltaLink), 400, readFixture('error-delta-token-expired.json'));
    expect((await ok(await initialSync())).value).toEqual([]);
  });

  it('expires tokens older than expirechangetrackingindays by the tables\' clock', async () => {
    await start();
    const deltaLink = await initialSync();
    emu.tables.advance(6 * 86_400);
    expect((await get(deltaLink)).status).toBe(200);
    emu.tables.advance(2 * 86_400);
    await expectError(await get(deltaLink), 400, readFixture('error-delta-token-expired.json'));
    emu.world.org.organizationRow.values.expirechangetrackingindays = 30;
    expect((await get(deltaLink)).status).toBe(200);
  });

  it('answers track-changes on an entity without change tracking with fixture error-change-tracking-not-enabled.json', async () => {
    await start((world) => {
      world.org.entities.account.changeTrackingEnabled = false;
    });
    await expectError(await get('accounts?$select=name', TRACK), 400, readFixture('error-change-tracking-not-enabled.json'));
    await expectError(await get('sample_bankaccounts?$select=sample_name', TRACK), 400, { error: { code: '0x80072491', message: "Entity sample_bankaccount isn't enabled for change tracking." } });
    await expectError(await get('sample_bankaccounts?$select=sample_name&$deltatoken=100000000%2101%2f01%2f2025%2000%3a00%3a00'), 400, { error: { code: '0x80072491', message: "Entity sample_bankaccount isn't enabled for change tracking." } });
    expect((await ok('sample_bankaccounts?$select=sample_name')).value).toHaveLength(3);
  });

  it.each([
    ['$filter', `$filter=${encodeURIComponent('modifiedon ge 2023-01-01T00:00:00Z')}`],
    ['$orderby', '$orderby=modifiedon'],
    ['$top', '$top=5'],
    ['$expand', '$expand=primarycontactid($select=fullname)'],
  ])('refuses %s with track-changes', async (option, query) => {
    await start();
    await expectError(await get(`accounts?$select=name&${query}`, TRACK), 400, { error: { code: '0x0', message: `The "${option}" query parameter isn't supported when Change Tracking is enabled.` } });
  });

  it('refuses a delta token that does not parse', async () => {
    await start();
    await expectError(await get('accounts?$select=name&$deltatoken=garbage'), 400, { error: { code: '0x0', message: 'The $deltatoken value is not valid.' } });
  });

  it('answers a token from a version not reached yet with no changes, keeping that version', async () => {
    await start();
    const res = await get('accounts?$select=name&$deltatoken=999999999999%2101%2f01%2f2025%2000%3a00%3a00');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.value).toEqual([]);
    expect(String(body['@odata.deltaLink'])).toContain('$deltatoken=999999999999%21');
  });
});

describe('switches for reported answers (tables.setChangeTrackingQuirks) and the read depth', () => {
  afterEach(() => emu.close());
  const FORMATTED = 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"';

  it('emptyNoChangeDelta: a delta without changes is {} (200, JSON); with changes, and on later pages, the usual shape', async () => {
    await start();
    const deltaLink = await initialSync('name');
    emu.tables.setChangeTrackingQuirks('account', { emptyNoChangeDelta: true });
    const res = await get(deltaLink, TRACK);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    expect(await res.text()).toBe('{}');
    const updated = emu.tables.update('account', 4);
    const pages = await allPages(deltaLink, 'odata.maxpagesize=2');
    expect(pages.map((p) => Object.keys(p))).toEqual([
      ['@odata.context', 'value', '@odata.nextLink'],
      ['@odata.context', '@odata.deltaLink', 'value'],
    ]);
    expect(pages.flatMap((p) => p.value.map((r: any) => r.accountid))).toEqual(updated);
    const after = pages[1]['@odata.deltaLink'];
    expect(await (await get(after)).text()).toBe('{}');
    // An initial sync and a plain read are never {}: the switch concerns deltas only.
    emu.tables.define('account', { rowCount: 0 });
    expect(Object.keys(await ok('accounts?$select=name', TRACK))).toEqual(['@odata.context', '@odata.deltaLink', 'value']);
    expect(await ok('accounts?$select=name')).toEqual({ '@odata.context': `${emu.orgUrl}/api/data/v9.2/$metadata#accounts(name)`, value: [] });
  });

  it("missingDeltaLink 'formatted': the last track-changes page lacks the deltaLink only when FormattedValue is asked for", async () => {
    await start();
    emu.tables.setChangeTrackingQuirks('account', { missingDeltaLink: 'formatted' });
    const withLabels = await allPages('accounts?$select=name', `${TRACK},odata.maxpagesize=10,${FORMATTED}`);
    expect(withLabels.map((p) => Object.keys(p))).toEqual([
      ['@odata.context', 'value', '@odata.nextLink'],
      ['@odata.context', 'value', '@odata.nextLink'],
      ['@odata.context', 'value'],
    ]);
    expect(withLabels.flatMap((p) => p.value).length).toBe(25);
    const deltaLink = await initialSync('name', `${TRACK},odata.maxpagesize=10`);
    expect(deltaLink).toContain('$deltatoken=');
    const [id] = emu.tables.update('account', 1);
    const delta = await ok(deltaLink, `${TRACK},${FORMATTED}`);
    expect(Object.keys(delta)).toEqual(['@odata.context', 'value']);
    expect(delta.value.map((r: any) => r.accountid)).toEqual([id]);
    expect(Object.keys(await ok(deltaLink, TRACK))).toEqual(['@odata.context', '@odata.deltaLink', 'value']);
  });

  it("missingDeltaLink 'always': no track-changes page has a deltaLink; plain pages are unchanged", async () => {
    await start();
    emu.tables.setChangeTrackingQuirks('account', { missingDeltaLink: 'always' });
    expect(Object.keys(await ok('accounts?$select=name', TRACK))).toEqual(['@odata.context', 'value']);
    expect(Object.keys(await ok('accounts?$select=name'))).toEqual(['@odata.context', 'value']);
    emu.tables.setChangeTrackingQuirks('account', {});
    expect(Object.keys(await ok('accounts?$select=name', TRACK))).toEqual(['@odata.context', '@odata.deltaLink', 'value']);
  });

  it.each(['Basic', 'Local', 'Deep'] as const)('readDepth %s: plain reads work, change tracking (initial or delta) is 403 0x80040220', async (depth) => {
    await start();
    const deltaLink = await initialSync('name');
    emu.world.org.entities.account.readDepth = depth;
    expect((await ok('accounts?$select=name')).value).toHaveLength(25);
    const message =
      `Principal user (Id=${emu.world.org.applicationUsers[emu.config().client_id].userId}, type=8, roleCount=1, privilegeCount=0, accessMode=4), ` +
      "is missing prvReadAccount privilege (Id=886b280c-6396-4d56-a0a3-2c1b0a50ceb0) on OTC=1 for entity 'account'. " +
      `Change tracking requires the privilege at depth Global; the user's roles grant it at depth ${depth}.`;
    for (const res of [await get('accounts?$select=name', TRACK), await get(deltaLink)]) {
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({ error: { code: '0x80040220', message } });
    }
    emu.world.org.entities.account.readDepth = 'Global';
    expect((await get('accounts?$select=name', TRACK)).status).toBe(200);
  });
});

describe('an entity without modifiedon (as intersect and some system tables)', () => {
  afterEach(() => emu.close());

  it('serves rows and change tracking; a modifiedon cursor is the 400 of an unknown property', async () => {
    await start((world) => {
      const def = world.org.entities.account;
      def.attributes = def.attributes.filter((a) => a.logicalName !== 'modifiedon');
    });
    const rows = (await ok('accounts')).value;
    expect(rows).toHaveLength(25);
    expect('modifiedon' in rows[0]).toBe(false);
    const res = await get(`accounts?$select=name&$filter=${encodeURIComponent('modifiedon ge 2023-01-01T00:00:00Z')}`);
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({ error: { code: '0x0', message: "Could not find a property named 'modifiedon' on type 'Microsoft.Dynamics.CRM.account'." } });
    const deltaLink = await initialSync('name');
    const [id] = emu.tables.update('account', 1);
    expect((await ok(deltaLink)).value.map((r: any) => r.accountid)).toEqual([id]);
  });
});
