/**
 * What a real org does that a naive client gets wrong (facts §9), end to end through the built
 * CLI against the emulator: columns by IsValidODataAttribute, DateTime typed by behavior,
 * polymorphic lookup targets, Int64/Decimal digits, and metadata requests for hundreds of entities.
 */
import { createLargeWorld, fetchToken, startEmulator, type Emulator } from '../emulator';
import { isODataProperty } from '../emulator/model';
import { ExactNumber } from '../emulator/rows';
import { ofType, records, runCli, writeJson, type CliResult, type Message } from '../helpers/cli';

const LOGICAL = 'Microsoft.Dynamics.CRM.lookuplogicalname';

function catalogFile(emulator: Emulator, names: string[]): string {
  return writeJson(`real-org-catalog-${Math.random()}.json`, {
    streams: names.map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })),
  });
}

function read(emulator: Emulator, entities: string[], extra: Record<string, unknown> = {}): Promise<CliResult> {
  const config = writeJson(`real-org-config-${Math.random()}.json`, emulator.config({ entities, page_size: 50, ...extra }));
  return runCli(['read', '--config', config, '--catalog', catalogFile(emulator, entities)]);
}

describe('the default world', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator();
    emulator.tables.define('account', { rowCount: 120 });
    emulator.tables.define('contact', { rowCount: 80 });
    emulator.tables.define('appointment', { rowCount: 60 });
    emulator.tables.define('sample_bankaccount', { rowCount: 70 });
  });
  afterAll(() => emulator.close());

  describe('discover', () => {
    const ENTITIES = ['account', 'contact', 'opportunity', 'appointment', 'sample_bankaccount'];
    let streams: Message[];
    beforeAll(async () => {
      const result = await runCli(['discover', '--config', writeJson('real-org-discover.json', emulator.config({ entities: ENTITIES }))]);
      expect(result.code).toBe(0);
      streams = result.messages[0].catalog.streams;
    });
    const props = (name: string) => Object.keys(streams.find((s) => s.name === name)!.json_schema.properties);

    test('the emulator refuses a $select naming a non-OData attribute, and discover never offers one', async () => {
      const token = await fetchToken(emulator);
      const res = await fetch(`${emulator.orgUrl}/api/data/v9.2/accounts?$select=accountid,new_legacyimportref`, { headers: { authorization: `Bearer ${token}` } });
      expect([res.status, await res.json()]).toEqual([400, { error: { code: '0x0', message: "Could not find a property named 'new_legacyimportref' on type 'Microsoft.Dynamics.CRM.account'." } }]);
      for (const name of ENTITIES) {
        const notOData = emulator.world.org.entities[name].attributes.filter((a) => !isODataProperty(a)).map((a) => a.logicalName);
        expect(notOData.length).toBeGreaterThan(0);
        const offered = props(name);
        expect([name, notOData.filter((a) => offered.includes(a) || offered.includes(`_${a}_value`))]).toEqual([name, []]);
      }
      expect(props('account')).not.toContain('owneridname');
      expect(props('account')).not.toContain('owneridyominame');
      expect(props('account')).not.toContain('new_legacyimportref');
    });

    test('entityimage_url and entityimage_timestamp (AttributeOf entityimage) are columns; entityimage itself is not', () => {
      const account = streams.find((s) => s.name === 'account')!.json_schema.properties;
      expect(account.entityimage_url).toEqual({ type: ['string', 'null'] });
      expect(account.entityimage_timestamp).toEqual({ type: ['integer', 'null'] });
      expect(account.entityimage).toBeUndefined();
    });

    test('new_displaydate (UserLocal, Format DateOnly) is date-time; birthdate (DateOnly behavior) is date', () => {
      const contact = streams.find((s) => s.name === 'contact')!.json_schema.properties;
      expect(contact.new_displaydate).toEqual({ type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' });
      expect(contact.birthdate).toEqual({ type: ['string', 'null'], format: 'date' });
    });

    test('every Owner, Customer and multi-target Lookup has __lookuplogicalname, single-target lookups do not', () => {
      const targetFields = (name: string) => props(name).filter((p) => p.endsWith('__lookuplogicalname'));
      expect(targetFields('account')).toEqual(['_ownerid_value__lookuplogicalname']);
      expect(targetFields('contact').sort()).toEqual(['_ownerid_value__lookuplogicalname', '_parentcustomerid_value__lookuplogicalname']);
      expect(targetFields('opportunity').sort()).toEqual(['_customerid_value__lookuplogicalname', '_ownerid_value__lookuplogicalname']);
      expect(targetFields('appointment').sort()).toEqual(['_ownerid_value__lookuplogicalname', '_regardingobjectid_value__lookuplogicalname']);
      expect(props('account')).toContain('_transactioncurrencyid_value');
      expect(props('account')).not.toContain('_transactioncurrencyid_value__lookuplogicalname');
    });
  });

  describe('read account: entityimage_url values, team-owned rows', () => {
    let result: CliResult;
    beforeAll(async () => {
      emulator.log.length = 0;
      result = await read(emulator, ['account']);
    });

    test('no request failed', () => {
      expect(result.code).toBe(0);
      expect(emulator.requests('org').filter((e) => e.status >= 400)).toEqual([]);
    });

    test('entityimage_url carries the emulator row values', () => {
      const byId = new Map(emulator.tables.rows('account').map((r) => [r.accountid, r]));
      const got = records(result.messages, 'account').map((m) => m.record.data);
      expect(got).toHaveLength(120);
      for (const d of got) expect([d.accountid, d.entityimage_url]).toEqual([d.accountid, byId.get(d.accountid)!.entityimage_url ?? null]);
      expect(got.filter((d) => typeof d.entityimage_url === 'string').length).toBeGreaterThan(60);
    });

    test('team-owned rows carry "team": exactly the team/systemuser split of the emulator model', () => {
      const model = emulator.tables.rows('account', { logicalName: true });
      const expected = { team: model.filter((r) => r[`_ownerid_value@${LOGICAL}`] === 'team').length, systemuser: model.filter((r) => r[`_ownerid_value@${LOGICAL}`] === 'systemuser').length };
      expect(expected.team).toBeGreaterThan(0);
      expect(expected.team + expected.systemuser).toBe(120);
      const got = records(result.messages, 'account').map((m) => m.record.data);
      expect({ team: got.filter((d) => d._ownerid_value__lookuplogicalname === 'team').length, systemuser: got.filter((d) => d._ownerid_value__lookuplogicalname === 'systemuser').length }).toEqual(expected);
      const byId = new Map(model.map((r) => [r.accountid, r[`_ownerid_value@${LOGICAL}`]]));
      for (const d of got) expect([d.accountid, d._ownerid_value__lookuplogicalname]).toEqual([d.accountid, byId.get(d.accountid)]);
    });

    test('pages ask for the target annotation only (formatted_values is off)', () => {
      const pages = emulator.requests('org').filter((e) => e.path.startsWith('/api/data/v9.2/accounts?'));
      expect(pages).toHaveLength(3);
      for (const p of pages) expect(p.headers.prefer).toBe(`odata.maxpagesize=50,odata.include-annotations="${LOGICAL}"`);
    });
  });

  test('read contact with formatted_values: one include-annotations list; new_displaydate timestamps round-trip; customer targets row by row', async () => {
    emulator.log.length = 0;
    const result = await read(emulator, ['contact'], { formatted_values: true });
    expect(result.code).toBe(0);
    const pages = emulator.requests('org').filter((e) => e.path.startsWith('/api/data/v9.2/contacts?'));
    for (const p of pages) expect(p.headers.prefer).toBe(`odata.maxpagesize=50,odata.include-annotations="OData.Community.Display.V1.FormattedValue,${LOGICAL}"`);
    const model = new Map(emulator.tables.rows('contact', { logicalName: true }).map((r) => [r.contactid, r]));
    const got = records(result.messages, 'contact').map((m) => m.record.data);
    expect(got).toHaveLength(80);
    let stamps = 0;
    for (const d of got) {
      const row = model.get(d.contactid)!;
      expect([d.contactid, d.new_displaydate]).toEqual([d.contactid, row.new_displaydate ?? null]);
      if (d.new_displaydate !== null) {
        stamps++;
        expect(d.new_displaydate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      }
      expect([d.contactid, d._parentcustomerid_value__lookuplogicalname]).toEqual([d.contactid, row[`_parentcustomerid_value@${LOGICAL}`] ?? null]);
    }
    expect(stamps).toBeGreaterThan(50);
    const customers = new Set(got.map((d) => d._parentcustomerid_value__lookuplogicalname));
    expect(customers).toEqual(new Set(['account', 'contact', null]));
  });

  test('Int64 and Decimal values reach the RECORD lines with every digit', async () => {
    const [id] = emulator.tables.update('sample_bankaccount', 1, {
      sample_ledgersequence: new ExactNumber('9007199254740993'),
      sample_exactbalance: new ExactNumber('12345678901.1234567891'),
    });
    const result = await read(emulator, ['sample_bankaccount']);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => l.startsWith('{"type":"RECORD"'));
    expect(lines).toHaveLength(70);
    const patched = lines.filter((l) => l.includes(`"sample_bankaccountid":"${id}"`));
    expect(patched).toHaveLength(1);
    expect(patched[0]).toContain('"sample_ledgersequence":9007199254740993');
    expect(patched[0]).toContain('"sample_exactbalance":12345678901.1234567891');
    // Every other row too: the digits in the RECORD line are the digits the emulator served.
    const served = new Map(
      emulator.tables.rowTexts('sample_bankaccount').map((t) => [/"sample_bankaccountid":"([^"]+)"/.exec(t)![1], [/"sample_ledgersequence":([^,}]+)/.exec(t)![1], /"sample_exactbalance":([^,}]+)/.exec(t)![1]]]),
    );
    let exact = 0;
    for (const line of lines) {
      const key = /"sample_bankaccountid":"([^"]+)"/.exec(line)![1];
      const got = [/"sample_ledgersequence":([^,}]+)/.exec(line)![1], /"sample_exactbalance":([^,}]+)/.exec(line)![1]];
      expect([key, got]).toEqual([key, served.get(key)]);
      if (got[0] !== 'null') exact++;
    }
    expect(exact).toBeGreaterThan(40);
  });
});

describe('hundreds of configured entities (generated 1,000-entity org)', () => {
  let emulator: Emulator;
  let names: string[];
  beforeAll(async () => {
    emulator = await startEmulator({ world: createLargeWorld({ entities: 1000, seed: 7 }) });
    names = Object.keys(emulator.world.org.entities);
  });
  afterAll(() => emulator.close());

  test('600 entities discover without a 4xx, in 5 EntityDefinitions requests and 2 $batches', async () => {
    emulator.log.length = 0;
    const result = await runCli(['discover', '--config', writeJson('real-org-600.json', emulator.config({ entities: names.slice(0, 600) }))], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.messages[0].catalog.streams).toHaveLength(604); // the 600 and organization, picklist, entity_metadata, attribute_metadata
    const org = emulator.requests('org');
    expect(org.filter((e) => e.status >= 400)).toEqual([]);
    // Names chunked to ~8 KB of filter per URL (about 140 of these names each); 3 parts per entity,
    // at most 1,000 per $batch (333 entities).
    expect(org.map((e) => `${e.method} ${e.path.split('?')[0]}`)).toEqual([
      ...Array(5).fill('GET /api/data/v9.2/EntityDefinitions'),
      'POST /api/data/v9.2/$batch',
      'POST /api/data/v9.2/$batch',
    ]);
    for (const e of org.filter((x) => x.method === 'GET')) expect(e.path.length).toBeLessThan(16 * 1024);
    const filtered = org.filter((x) => x.method === 'GET').flatMap((e) => [...decodeURIComponent(e.path).matchAll(/LogicalName eq '([^']+)'/g)].map((m) => m[1]));
    expect(filtered).toEqual(names.slice(0, 600));
    expect(org.filter((e) => e.method === 'POST').map((e) => e.inner!.length)).toEqual([999, 801]);
    expect(org.flatMap((e) => e.inner ?? []).filter((p) => p.status !== 200)).toEqual([]);
  });

  test('3,000 configured names (2,000 unknown) never produce a 431: the clear message names the unknown ones', async () => {
    emulator.log.length = 0;
    const unknown = Array.from({ length: 2000 }, (_, i) => `new_missingtable${String(i).padStart(4, '0')}`);
    const result = await runCli(['discover', '--config', writeJson('real-org-3000.json', emulator.config({ entities: [...names, ...unknown] }))], { timeoutMs: 120_000 });
    expect(result.code).toBe(1);
    const trace = ofType(result.messages, 'TRACE').map((m) => m.trace.error);
    expect(trace.map((t) => [t.failure_type, t.message])).toEqual([
      [
        'config_error',
        `config entities: ${unknown.slice(0, 10).map((n) => `"${n}"`).join(', ')} and 1990 more do not exist in ${emulator.orgUrl}; use table logical names (e.g. account, opportunity)`,
      ],
    ]);
    const org = emulator.requests('org');
    expect(org.filter((e) => e.status >= 400)).toEqual([]);
    expect(org.every((e) => e.method === 'GET' && e.path.startsWith('/api/data/v9.2/EntityDefinitions?') && e.path.length < 16 * 1024)).toBe(true);
    expect(org.length).toBeGreaterThan(10);
  });
});
