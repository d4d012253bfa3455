/**
 * The real-service behaviours of facts §9 on the default world over HTTPS: which attributes are
 * properties (IsValidODataAttribute), DateTime wire types by behavior, lookup target annotations
 * only when asked for, and numbers served with every digit.
 */
import { startEmulator, type Emulator } from './index';
import { ExactNumber } from './rows';
import { fetchToken, json, readFixture } from './testing';

let emu: Emulator;
let token: string;
const LOGICAL = 'Microsoft.Dynamics.CRM.lookuplogicalname';

beforeAll(async () => {
  emu = await startEmulator();
  emu.tables.define('account', { rowCount: 40 });
  emu.tables.define('contact', { rowCount: 40 });
  emu.tables.define('appointment', { rowCount: 40 });
  emu.tables.define('sample_bankaccount', { rowCount: 20 });
  token = await fetchToken(emu);
});
afterAll(() => emu.close());

function get(path: string, prefer?: string): Promise<Response> {
  return fetch(`${emu.orgUrl}/api/data/v9.2/${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(prefer ? { prefer } : {}) } });
}

describe('$select: IsValidODataAttribute decides what is a property', () => {
  test.each(['owneridname', 'owneridyominame', 'owneridtype', 'transactioncurrencyidname', 'industrycodename', 'new_legacyimportref'])(
    '%s: 400 as error-400-bad-select.json words it',
    async (name) => {
      const res = await get(`accounts?$select=accountid,${name}`);
      expect(res.status).toBe(400);
      const fixture = readFixture('error-400-bad-select.json') as { error: { code: string; message: string } };
      expect(await json(res)).toEqual({ error: { code: fixture.error.code, message: fixture.error.message.replace("'Name'", `'${name}'`) } });
    },
  );

  test('entityimage_url and entityimage_timestamp (AttributeOf entityimage) are properties', async () => {
    const res = await get('accounts?$select=entityimage_url,entityimage_timestamp');
    expect(res.status).toBe(200);
    const rows = ((await json(res)) as { value: Array<Record<string, unknown>> }).value;
    expect(rows).toHaveLength(40);
    expect(Object.keys(rows[0])).toEqual(['@odata.etag', 'entityimage_url', 'entityimage_timestamp', 'accountid']);
    expect(rows.filter((r) => typeof r.entityimage_url === 'string').length).toBeGreaterThan(20);
  });
});

test('new_displaydate (UserLocal, Format DateOnly) carries full timestamps; birthdate (DateOnly) dates', async () => {
  const rows = ((await json(await get('contacts?$select=new_displaydate,birthdate'))) as { value: Array<Record<string, string | null>> }).value;
  const stamps = rows.map((r) => r.new_displaydate).filter((v): v is string => v !== null);
  const dates = rows.map((r) => r.birthdate).filter((v): v is string => v !== null);
  expect(stamps.length).toBeGreaterThan(20);
  for (const v of stamps) expect(v).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  for (const v of dates) expect(v).toMatch(/^\d{4}-\d{2}-\d{2}$/);
});

describe('lookup target annotations', () => {
  test('absent unless asked for', async () => {
    const text = await (await get('accounts?$select=_ownerid_value')).text();
    expect(text).not.toContain(LOGICAL);
  });

  test('row by row when asked for: ownerid is a systemuser or a team, regardingobjectid any of its three targets', async () => {
    const prefer = `odata.include-annotations="${LOGICAL}"`;
    const accounts = ((await json(await get('accounts?$select=_ownerid_value', prefer))) as { value: Array<Record<string, unknown>> }).value;
    const owners = accounts.map((r) => r[`_ownerid_value@${LOGICAL}`]);
    expect(new Set(owners)).toEqual(new Set(['systemuser', 'team']));
    expect(owners.filter((o) => o === 'team').length).toBe(emu.tables.rows('account', { logicalName: true }).filter((r) => r[`_ownerid_value@${LOGICAL}`] === 'team').length);
    const appointments = ((await json(await get('appointments?$select=_regardingobjectid_value', prefer))) as { value: Array<Record<string, unknown>> }).value;
    const targets = appointments.filter((r) => r._regardingobjectid_value !== null).map((r) => r[`_regardingobjectid_value@${LOGICAL}`]);
    expect(new Set(targets)).toEqual(new Set(['account', 'contact', 'opportunity']));
    expect(appointments.filter((r) => r._regardingobjectid_value === null).every((r) => !(`_regardingobjectid_value@${LOGICAL}` in r))).toBe(true);
  });
});

describe('numbers with every digit', () => {
  test('sample_ledgersequence (BigInt past 2^53) and sample_exactbalance (Decimal, 10 decimals) as exact number text', async () => {
    const text = await (await get('sample_bankaccounts?$select=sample_ledgersequence,sample_exactbalance')).text();
    const big = [...text.matchAll(/"sample_ledgersequence":(-?\d+|null)/g)].map((m) => m[1]).filter((v) => v !== 'null');
    const dec = [...text.matchAll(/"sample_exactbalance":(-?[\d.]+|null)/g)].map((m) => m[1]).filter((v) => v !== 'null');
    expect(big.length).toBeGreaterThan(10);
    expect(dec.length).toBeGreaterThan(10);
    for (const v of big) expect(BigInt(v) > 9007199254740992n).toBe(true);
    for (const v of dec) expect(v).toMatch(/^\d{11}\.\d{9}[1-9]$/);
  });

  test('a patched row serves the exact text given', async () => {
    const [id] = emu.tables.update('sample_bankaccount', 1, { sample_ledgersequence: new ExactNumber('9007199254740993'), sample_exactbalance: new ExactNumber('12345678901.1234567891') });
    const text = await (await get(`sample_bankaccounts?$select=sample_ledgersequence,sample_exactbalance`)).text();
    expect(text).toContain(`"sample_ledgersequence":9007199254740993,"sample_exactbalance":12345678901.1234567891,"sample_bankaccountid":"${id}"`);
    expect(emu.tables.rowTexts('sample_bankaccount').find((t) => t.includes(id))).toContain('"sample_ledgersequence":9007199254740993');
  });
});
