/**
 * `createdon` over real HTTPS, what partitioned reads send: ranges (`ge`/`lt`/`le`), `eq null` /
 * `ne null`, and `$orderby=createdon asc|desc` with paging. Every answer is compared with the
 * table's rows filtered and sorted here, the slow obvious way.
 */
import { startEmulator, type Emulator } from './index';
import { tablesTestWorld } from './tables-testing';
import { fetchToken } from './testing';

let emu: Emulator;
let token: string;

type Row = { accountid: string; createdon: string | null };

async function ok(pathOrUrl: string, prefer?: string): Promise<any> {
  const url = pathOrUrl.startsWith('https://') ? pathOrUrl : `${emu.orgUrl}/api/data/v9.2/${pathOrUrl}`;
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(prefer ? { prefer } : {}) } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${res.status} ${text}`);
  return JSON.parse(text);
}

async function allRows(path: string, pageSize: number): Promise<Row[]> {
  const rows: Row[] = [];
  let body = await ok(path, `odata.maxpagesize=${pageSize}`);
  rows.push(...body.value);
  while (body['@odata.nextLink']) {
    body = await ok(body['@odata.nextLink'], `odata.maxpagesize=${pageSize}`);
    rows.push(...body.value);
  }
  return rows.map((r) => ({ accountid: r.accountid, createdon: r.createdon }));
}

const query = (filter: string, orderby?: string) => `accounts?$select=accountid,createdon&$filter=${encodeURIComponent(filter)}${orderby ? `&$orderby=${encodeURIComponent(orderby)}` : ''}`;
const table = (): Row[] => emu.tables.rows('account').map((r) => ({ accountid: r.accountid as string, createdon: r.createdon as string | null }));
const byCreated = (a: Row, b: Row) => Date.parse(a.createdon as string) - Date.parse(b.createdon as string) || 0;

describe.each([
  ['rows a minute apart (createdon spread over 90 days: far from index order)', 60],
  ['rows 20 days apart (createdon close to index order)', 20 * 86_400],
])('createdon on %s', (_name, stepSeconds) => {
  let nulls: string[];

  beforeAll(async () => {
    const world = tablesTestWorld();
    world.org.tables = { account: { rowCount: 400, stepSeconds } };
    emu = await startEmulator({ world });
    token = await fetchToken(emu);
    nulls = emu.tables.update('account', 7, { createdon: null });
    emu.tables.delete('account', 5);
    emu.tables.insert('account', 3);
  });
  afterAll(() => emu.close());

  it('orders by createdon asc and desc, paging through every non-null row once', async () => {
    const expected = table().filter((r) => r.createdon !== null);
    expect(expected).toHaveLength(400 - 7 - 5 + 3);
    const asc = await allRows(query('createdon ne null', 'createdon asc'), 37);
    expect(asc.map((r) => r.createdon)).toEqual(expected.map((r) => r.createdon).sort((a, b) => Date.parse(a as string) - Date.parse(b as string)));
    expect(new Set(asc.map((r) => r.accountid))).toEqual(new Set(expected.map((r) => r.accountid)));
    const desc = await allRows(query('createdon ne null', 'createdon desc'), 50);
    expect(desc.map((r) => r.createdon)).toEqual(asc.map((r) => r.createdon).reverse());
  });

  it('answers the one-row bound requests with the earliest and the latest createdon', async () => {
    const sorted = table().filter((r) => r.createdon !== null).sort(byCreated);
    const first = await ok(`${query('createdon ne null', 'createdon asc')}&$top=1`, 'odata.maxpagesize=1');
    const last = await ok(`${query('createdon ne null', 'createdon desc')}&$top=1`, 'odata.maxpagesize=1');
    expect(first.value.map((r: Row) => r.createdon)).toEqual([sorted[0].createdon]);
    expect(last.value.map((r: Row) => r.createdon)).toEqual([sorted[sorted.length - 1].createdon]);
  });

  it('cuts into half-open ranges and a null partition that hold every row exactly once', async () => {
    const rows = table();
    const times = rows.filter((r) => r.createdon !== null).map((r) => Date.parse(r.createdon as string)).sort((a, b) => a - b);
    const at = (q: number) => new Date(Math.floor(times[Math.floor(q * (times.length - 1))] / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const cuts = [at(0.25), at(0.5), at(0.75)];
    const filters = [`createdon lt ${cuts[0]}`, `createdon ge ${cuts[0]} and createdon lt ${cuts[1]}`, `createdon ge ${cuts[1]} and createdon lt ${cuts[2]}`, `createdon ge ${cuts[2]}`, 'createdon eq null'];
    const read: Row[][] = [];
    for (const filter of filters) read.push(await allRows(query(filter), 23));
    expect(read.flat().map((r) => r.accountid).sort()).toEqual(rows.map((r) => r.accountid).sort());
    expect(read[4].map((r) => r.accountid).sort()).toEqual([...nulls].sort());
    const inRange = (r: Row, lo?: string, hi?: string) => r.createdon !== null && (!lo || r.createdon >= lo) && (!hi || r.createdon < hi);
    expect(read[1].map((r) => r.accountid).sort()).toEqual(rows.filter((r) => inRange(r, cuts[0], cuts[1])).map((r) => r.accountid).sort());
    const upTo = await allRows(query(`createdon le ${cuts[1]}`), 100);
    expect(upTo.length).toBe(rows.filter((r) => r.createdon !== null && r.createdon <= cuts[1]).length);
  });

  it('refuses to order by createdon when rows without createdon could be in the answer (an emulator limit)', async () => {
    await expect(ok('accounts?$select=accountid&$orderby=createdon asc')).rejects.toThrow(/^400 .*orders by createdon only with a \$filter that leaves out rows without createdon/);
  });
});
