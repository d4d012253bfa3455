/** The pure parts behind entity sets: ids, paging cookies, filters, formatting, table mutations. */
import { formatDeltaToken, parseDeltaToken } from './changetracking';
import { entityColumns, resolveSelect } from './columns';
import { parseFilter, parseOrderBy } from './entity-filter';
import { formatDateTime, formatInteger, formatMoney } from './formatting';
import { scramble32, unscramble32 } from './hash';
import { indexOfId, rowId, tableKey } from './rows';
import { decodeSkiptoken, encodeSkiptoken } from './skiptoken';
import { Tables } from './tables';
import { accountDef, tablesTestWorld } from './tables-testing';
import { readFixture } from './testing';

describe('row ids', () => {
  it('scramble32 is a bijection (round trip on edge and sampled values)', () => {
    for (const x of [0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff, 123456789]) expect(unscramble32(scramble32(x))).toBe(x);
    for (let i = 0; i < 100_000; i++) expect(unscramble32(scramble32(i * 40503))).toBe((i * 40503) >>> 0);
  });

  it('maps ids back to their index, in any case, and rejects ids no index produces', () => {
    const key = tableKey('account', 1);
    for (const index of [0, 1, 999_999, 4_000_000]) {
      const id = rowId(key, index);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(indexOfId(key, id)).toBe(index);
      expect(indexOfId(key, id.toUpperCase())).toBe(index);
      const tampered = id.slice(0, 35) + (id[35] === '0' ? '1' : '0');
      expect(indexOfId(key, tampered)).toBeUndefined();
    }
    expect(indexOfId(tableKey('contact', 1), rowId(key, 5))).toBeUndefined();
    expect(indexOfId(key, 'not-a-guid')).toBeUndefined();
  });

  it('differs per entity and per seed', () => {
    expect(rowId(tableKey('account', 1), 0)).not.toBe(rowId(tableKey('contact', 1), 0));
    expect(rowId(tableKey('account', 1), 0)).not.toBe(rowId(tableKey('account', 2), 0));
  });
});

describe('paging cookie', () => {
  const skiptokenOf = (link: string) => link.slice(link.indexOf('$skiptoken=') + '$skiptoken='.length);

  it.each([
    ['accounts-page1.json', 'accountid', 2, '655eaf89-f083-e511-80d3-00155d2a68d3', '695eaf89-f083-e511-80d3-00155d2a68d3'],
    ['accounts-page2.json', 'accountid', 3, '6b5eaf89-f083-e511-80d3-00155d2a68d3', '6f5eaf89-f083-e511-80d3-00155d2a68d3'],
    ['contacts-page1.json', 'contactid', 2, '49b0be2e-d01c-ed11-b83e-000d3a572421', 'd5026a4d-d01c-ed11-b83e-000d3a572421'],
    ['contacts-page2.json', 'contactid', 3, 'bb55f942-161f-ed11-b83e-000d3a572421', 'f2318099-171f-ed11-b83e-000d3a572421'],
  ])('encodes %s\'s $skiptoken byte for byte, and decodes it back', (file, primaryKey, pageNumber, first, last) => {
    const expected = skiptokenOf(readFixture(file)['@odata.nextLink']);
    expect(encodeSkiptoken({ pageNumber, tracking: false, primaryKey, first, last })).toBe(expected);
    expect(decodeSkiptoken(decodeURIComponent(expected))).toEqual({ pageNumber, tracking: false, primaryKey, first: first.toUpperCase(), last: last.toUpperCase() });
  });

  it('round-trips the tracking, order and delta additions', () => {
    const cookie = {
      pageNumber: 4,
      tracking: true,
      primaryKey: 'accountid',
      first: 'AAAAAAAA-0000-4000-8000-000000000001',
      last: 'BBBBBBBB-0000-4000-8000-000000000002',
      modified: { first: '2023-01-01T00:00:00Z', last: '2023-01-01T00:05:00Z' },
      snapshot: 100000007,
      phase: 'deletes' as const,
      lastVersion: 100000005,
    };
    expect(decodeSkiptoken(decodeURIComponent(encodeSkiptoken(cookie)))).toEqual(cookie);
  });

  it.each([
    ['not a cookie', 'garbage'],
    ['page numbers that disagree', '<cookie pagenumber="3" pagingcookie="%3ccookie%20page%3d%221%22%3e%3caccountid%20last%3d%22%7bAAAAAAAA-0000-4000-8000-000000000001%7d%22%20first%3d%22%7bAAAAAAAA-0000-4000-8000-000000000001%7d%22%20%2f%3e%3c%2fcookie%3e" istracking="False" />'],
    ['a key that is not a GUID', '<cookie pagenumber="2" pagingcookie="%3ccookie%20page%3d%221%22%3e%3caccountid%20last%3d%22%7bnope%7d%22%20first%3d%22%7bnope%7d%22%20%2f%3e%3c%2fcookie%3e" istracking="False" />'],
    ['a broken escape', '<cookie pagenumber="2" pagingcookie="%3ccookie%zz" istracking="False" />'],
  ])('rejects %s', (_name, value) => {
    expect(decodeSkiptoken(value)).toBeNull();
  });
});

describe('delta token', () => {
  it('formats and parses the docs form 919042!08/22/2017 08:10:44', () => {
    expect(formatDeltaToken(919042, new Date('2017-08-22T08:10:44Z'))).toBe('919042!08/22/2017 08:10:44');
    expect(parseDeltaToken('919042!08/22/2017 08:10:44')).toEqual({ version: 919042, timeMs: Date.parse('2017-08-22T08:10:44Z') });
    expect(parseDeltaToken('919042')).toBeNull();
  });
});

describe('$select, $filter and $orderby parsing', () => {
  const def = accountDef();
  const columns = entityColumns(def);
  const select = (raw: string | null) => {
    const r = resolveSelect(def, columns, raw);
    return 'error' in r ? r.error : r.columns.map((c) => c.property);
  };

  it('selects in the order given, adds the currency for money and the key last; without $select all but image and file', () => {
    expect(select('revenue,name,revenue')).toEqual(['revenue', 'name', '_transactioncurrencyid_value', 'accountid']);
    expect(select('accountid,name')).toEqual(['accountid', 'name']);
    const all = select(null) as string[];
    expect(all).not.toContain('entityimage');
    expect(all).not.toContain('new_contract');
    expect(all).toContain('new_tags');
    expect(all).toContain('_ownerid_value');
  });

  it.each(['Name', 'industrycodename', 'transactioncurrencyidname', 'owneridtype', 'statecodename', 'primarycontactid', 'new_secret'])('refuses %s like the service', (name) => {
    expect(select(`name,${name}`)).toBe(`Could not find a property named '${name}' on type 'Microsoft.Dynamics.CRM.account'.`);
  });

  it.each([
    ['modifiedon ge 2023-01-01T00:10:00Z', { lowerMs: Date.parse('2023-01-01T00:10:00Z'), lowerInclusive: true, upperInclusive: true }],
    ['modifiedon gt 2023-01-01T00:10:00.500Z', { lowerMs: Date.parse('2023-01-01T00:10:00.500Z'), lowerInclusive: false, upperInclusive: true }],
    ['(modifiedon ge 2023-01-01T00:00:00Z) and (modifiedon lt 2023-01-02T00:00:00+01:00)', { lowerMs: Date.parse('2023-01-01T00:00:00Z'), lowerInclusive: true, upperMs: Date.parse('2023-01-01T23:00:00Z'), upperInclusive: false }],
    ['modifiedon eq 2023-01-01T00:01:00Z', { lowerMs: Date.parse('2023-01-01T00:01:00Z'), lowerInclusive: true, upperMs: Date.parse('2023-01-01T00:01:00Z'), upperInclusive: true }],
    ['createdon ne null', { lowerInclusive: true, upperInclusive: true, created: { lowerInclusive: true, upperInclusive: true, isNull: false } }],
    ['createdon eq null', { lowerInclusive: true, upperInclusive: true, created: { lowerInclusive: true, upperInclusive: true, isNull: true } }],
    [
      'createdon ge 2024-01-01T00:00:00Z and createdon lt 2024-02-01T00:00:00Z',
      { lowerInclusive: true, upperInclusive: true, created: { lowerMs: Date.parse('2024-01-01T00:00:00Z'), lowerInclusive: true, upperMs: Date.parse('2024-02-01T00:00:00Z'), upperInclusive: false, isNull: false } },
    ],
    ['createdon le 2024-01-01T00:00:00Z', { lowerInclusive: true, upperInclusive: true, created: { lowerInclusive: true, upperMs: Date.parse('2024-01-01T00:00:00Z'), upperInclusive: true, isNull: false } }],
  ])('$filter=%s', (raw, expected) => {
    expect(parseFilter(def, columns, raw)).toEqual(expected);
  });

  it.each([
    ["modifiedon ge '2023-01-01T00:00:00Z'", "A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'."],
    ['ModifiedOn ge 2023-01-01T00:00:00Z', "Could not find a property named 'ModifiedOn' on type 'Microsoft.Dynamics.CRM.account'."],
    ["contains(name,'x')", "The emulator does not support the $filter 'contains(name,'x')' (supported: modifiedon eq|gt|ge|lt|le <date-time>, createdon eq|gt|ge|lt|le <date-time> or eq|ne null, joined with and)."],
    ['modifiedon ge 2023-01-01T00:00:00Z or modifiedon le 2023-02-01T00:00:00Z', expect.stringContaining('The emulator does not support the $filter')],
    ['name eq 2023-01-01T00:00:00Z', expect.stringContaining('The emulator does not support the $filter')],
    ['modifiedon eq null', expect.stringContaining('The emulator does not support the $filter')],
    ["createdon ge '2024-01-01T00:00:00Z'", "A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'."],
  ])('$filter=%s is refused', (raw, message) => {
    expect(parseFilter(def, columns, raw)).toEqual({ error: message });
  });

  it.each([
    [null, 'key'],
    ['accountid', 'key'],
    ['modifiedon', 'modified'],
    ['modifiedon asc,accountid asc', 'modified'],
    ['modifiedon asc, accountid', 'modified'],
    ['createdon asc', 'created'],
    ['createdon desc', 'created-desc'],
    ['createdon desc,accountid desc', 'created-desc'],
  ])('$orderby=%s', (raw, order) => {
    expect(parseOrderBy(def, columns, raw)).toBe(order);
  });

  it.each([
    ['modifiedon desc', expect.stringContaining('The emulator does not support the $orderby')],
    ['name asc', expect.stringContaining('The emulator does not support the $orderby')],
    ['createdon desc,accountid asc', expect.stringContaining('The emulator does not support the $orderby')],
    ['nosuch asc', "Could not find a property named 'nosuch' on type 'Microsoft.Dynamics.CRM.account'."],
  ])('$orderby=%s is refused', (raw, message) => {
    expect(parseOrderBy(def, columns, raw)).toEqual({ error: message });
  });
});

describe('formatted values', () => {
  it.each([
    [20000, '$20,000.00'],
    [0.5, '$0.50'],
    [1234567.891, '$1,234,567.89'],
    [-5.5, '-$5.50'],
  ])('money %p -> %s', (value, text) => {
    expect(formatMoney(value, '$')).toBe(text);
  });

  it.each([
    ['2023-04-07T21:59:01Z', '4/7/2023 9:59 PM'],
    ['2023-04-07T00:05:00Z', '4/7/2023 12:05 AM'],
    ['2023-12-31T12:00:00Z', '12/31/2023 12:00 PM'],
  ])('date-time %s -> %s', (iso, text) => {
    expect(formatDateTime(iso)).toBe(text);
  });

  it('groups integers', () => {
    expect(formatInteger(9500)).toBe('9,500');
    expect(formatInteger(100)).toBe('100');
  });
});

describe('Tables', () => {
  function tables(rowCount = 10): Tables {
    const world = tablesTestWorld();
    world.org.tables = { account: { rowCount } };
    return new Tables(world);
  }

  it('generates rows deterministically with increasing modifiedon and row versions', () => {
    const a = tables().rows('account');
    expect(a).toEqual(tables().rows('account'));
    expect(a).toHaveLength(10);
    expect(a.map((r) => r.modifiedon)).toEqual(Array.from({ length: 10 }, (_, i) => new Date(Date.parse('2023-01-01T00:00:00Z') + i * 60_000).toISOString().replace('.000', '')));
    expect(a.map((r) => r.versionnumber)).toEqual(Array.from({ length: 10 }, (_, i) => 1_000_000 + i));
    expect(a[3]['@odata.etag']).toBe('W/"1000003"');
    expect(new Set(a.map((r) => r.accountid)).size).toBe(10);
  });

  it('updates `count` distinct rows spread over the table, stamping version and clock', () => {
    const t = tables();
    t.setClock('2025-03-01T10:00:00.750Z');
    const before = t.changeVersion();
    const ids = t.update('account', 3);
    expect(new Set(ids).size).toBe(3);
    const rows = t.rows('account');
    const updated = rows.filter((r) => ids.includes(r.accountid as string));
    expect(updated.map((r) => r.modifiedon)).toEqual(['2025-03-01T10:00:00Z', '2025-03-01T10:00:00Z', '2025-03-01T10:00:00Z']);
    expect(updated.map((r) => r.versionnumber)).toEqual([before + 1, before + 2, before + 3]);
    expect(t.changeVersion()).toBe(before + 3);
    expect(ids).toEqual([0, 3, 6].map((i) => t.idAt('account', i)));
  });

  it('picks untouched rows first for a count, then touched ones', () => {
    const t = tables(10);
    const first = t.update('account', 3);
    const removed = t.delete('account', 4);
    expect(new Set([...first, ...removed]).size).toBe(7);
    const again = t.update('account', 4);
    expect(again.filter((id) => first.includes(id))).toHaveLength(1);
    expect(again.some((id) => removed.includes(id))).toBe(false);
  });

  it('applies patches, deletes and inserts; refuses unknown rows and entities', () => {
    const t = tables(5);
    const [id] = t.update('account', [t.idAt('account', 2)], { name: 'Renamed', revenue: 20000 });
    expect(t.rows('account').find((r) => r.accountid === id)).toMatchObject({ name: 'Renamed', revenue: 20000 });
    expect(t.delete('account', [id])).toEqual([id]);
    expect(t.count('account')).toBe(4);
    expect(() => t.delete('account', [id])).toThrow(`tables: account has no live row ${id}`);
    const inserted = t.insert('account', 2);
    expect(inserted).toEqual([t.idAt('account', 5), t.idAt('account', 6)]);
    expect(t.rows('account').map((r) => r.accountid)).toEqual([0, 1, 3, 4, 5, 6].map((i) => t.idAt('account', i)));
    expect(() => t.update('account', 7)).toThrow('tables: cannot pick 7 of the 6 live rows of account');
    expect(() => t.update('nosuch', 1)).toThrow("tables: no entity 'nosuch' in world.org.entities");
  });

  it('controls its clock', () => {
    const t = tables();
    expect(t.now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
    t.advance(90);
    expect(t.now().toISOString()).toBe('2025-01-01T00:01:30.000Z');
    t.setClock(() => new Date('2030-01-01T00:00:00Z'));
    expect(t.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(() => t.advance(1)).toThrow('tables.advance: the clock is a function; use setClock');
  });
});
