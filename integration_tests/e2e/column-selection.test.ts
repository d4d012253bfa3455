/**
 * Column selection end to end: a configured catalog whose json_schema lists a few properties of an
 * entity stream makes the page requests `$select` only those columns (plus the key and the
 * cursor) and the records hold exactly those fields and what goes with them (`__formatted`,
 * `__lookuplogicalname`, the CDC fields), in full refresh, change tracking and cursor reads.
 */
import { startEmulator, type Emulator } from '../emulator';
import { ofType, records, runCli, writeJson, type CliResult, type Message } from '../helpers/cli';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
  emulator.tables.define('account', { rowCount: 120 });
  emulator.tables.define('sample_bankaccount', { rowCount: 80 });
});
afterAll(() => emulator.close());

type Mode = 'full_refresh' | 'incremental';

/** Reads one stream whose catalog json_schema lists `selected` (undefined: `{}`). */
async function read(entity: string, mode: Mode, selected: string[] | undefined, options: { state?: Message[]; formatted?: boolean } = {}): Promise<CliResult> {
  const config = writeJson(`sel-config-${Math.random()}.json`, emulator.config({ entities: [entity], page_size: 50, formatted_values: options.formatted ?? false }));
  const json_schema = selected ? { type: 'object', properties: Object.fromEntries(selected.map((p) => [p, { type: ['string', 'null'] }])) } : {};
  const catalog = writeJson(`sel-catalog-${Math.random()}.json`, {
    streams: [{ stream: { name: entity, json_schema, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: 'append' }],
  });
  const args = ['read', '--config', config, '--catalog', catalog];
  if (options.state) args.push('--state', writeJson(`sel-state-${Math.random()}.json`, options.state.map((m) => m.state)));
  emulator.log.length = 0;
  return runCli(args);
}

/** The `$select` of every page request to an entity set, as sorted column lists. */
function pageSelects(entitySet: string): string[][] {
  return emulator
    .requests('org')
    .filter((e) => e.path.startsWith(`/api/data/v9.2/${entitySet}?`))
    .map((e) => (new URL(e.path, 'https://x').searchParams.get('$select') ?? '').split(',').sort());
}

const fieldSets = (result: CliResult, stream: string): string[][] => records(result.messages, stream).map((m) => Object.keys(m.record.data).sort());
const finalStates = (messages: Message[]): Message[] => ofType(messages, 'STATE').slice(-1);
const traceError = (result: CliResult): string => ofType(result.messages, 'TRACE').find((m) => m.trace.type === 'ERROR')?.trace.error.message;

describe('three columns of account (change-tracked)', () => {
  const selected = ['name', '_ownerid_value', 'aging30'];
  const written = ['_ab_cdc_deleted_at', '_ab_cdc_updated_at', '_ownerid_value', '_ownerid_value__lookuplogicalname', 'accountid', 'aging30', 'modifiedon', 'name'];
  const requested = ['_ownerid_value', 'accountid', 'aging30', 'modifiedon', 'name'];

  test('full refresh: the pages select the columns, the key and modifiedon; every record holds exactly those fields', async () => {
    const result = await read('account', 'full_refresh', selected);
    expect(result.code).toBe(0);
    expect(fieldSets(result, 'account')).toEqual(Array.from({ length: 120 }, () => written));
    expect(pageSelects('accounts')).toEqual([requested, requested, requested]);
    // The polymorphic owner keeps its target table: its annotation is still asked for.
    expect(emulator.requests('org').find((e) => e.path.startsWith('/api/data/v9.2/accounts?'))?.headers.prefer).toBe('odata.maxpagesize=50,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"');
  });

  test('formatted_values: a selected column brings its __formatted label, an unselected one does not', async () => {
    const result = await read('account', 'full_refresh', ['name', 'statuscode'], { formatted: true });
    expect(result.code).toBe(0);
    expect(new Set(fieldSets(result, 'account').map((f) => f.join(',')))).toEqual(
      new Set([['_ab_cdc_deleted_at', '_ab_cdc_updated_at', 'accountid', 'modifiedon', 'name', 'statuscode', 'statuscode__formatted'].join(',')]),
    );
    expect(records(result.messages, 'account').every((m) => typeof m.record.data.statuscode__formatted === 'string')).toBe(true);
    expect(pageSelects('accounts')[0]).toEqual(['accountid', 'modifiedon', 'name', 'statuscode']);
    expect(emulator.requests('org').find((e) => e.path.startsWith('/api/data/v9.2/accounts?'))?.headers.prefer).toBe('odata.maxpagesize=50,odata.include-annotations="OData.Community.Display.V1.FormattedValue"');
  });

  test('change tracking: the first read and the delta select the same columns; updates and deletes hold exactly their fields', async () => {
    const first = await read('account', 'incremental', selected);
    expect(first.code).toBe(0);
    expect(fieldSets(first, 'account')).toEqual(Array.from({ length: 120 }, () => written));
    expect(pageSelects('accounts').every((s) => s.join(',') === requested.join(','))).toBe(true);
    emulator.tables.advance(3600);
    const updated = emulator.tables.update('account', 5);
    const deleted = emulator.tables.delete('account', 3);
    const second = await read('account', 'incremental', selected, { state: finalStates(first.messages) });
    expect(second.code).toBe(0);
    const data = records(second.messages, 'account').map((m) => m.record.data);
    expect(data).toHaveLength(8);
    const rows = data.filter((d) => d._ab_cdc_deleted_at === null);
    expect(new Set(rows.map((d) => d.accountid))).toEqual(new Set(updated));
    for (const d of rows) {
      expect(Object.keys(d).sort()).toEqual(written);
      expect(d._ab_cdc_updated_at).toBe(d.modifiedon);
    }
    const deletes = data.filter((d) => d._ab_cdc_deleted_at !== null);
    expect(new Set(deletes.map((d) => d.accountid))).toEqual(new Set(deleted));
    for (const d of deletes) expect(Object.keys(d).sort()).toEqual(['_ab_cdc_deleted_at', '_ab_cdc_updated_at', 'accountid']);
    const delta = emulator.requests('org').filter((e) => e.path.startsWith('/api/data/v9.2/accounts?') && e.path.includes('deltatoken'));
    // The delta is read twice: a pass of keys only (the change count), then the selected columns.
    expect(delta.map((e) => (new URL(e.path, 'https://x').searchParams.get('$select') ?? '').split(',').sort())).toEqual([['accountid'], requested]);
  });
});

describe('two columns of sample_bankaccount (modifiedon cursor)', () => {
  test('incremental: the cursor column is read and written with the selection, and filters read 2', async () => {
    const written = ['modifiedon', 'sample_balance', 'sample_bankaccountid', 'sample_name'];
    const first = await read('sample_bankaccount', 'incremental', ['sample_name', 'sample_balance']);
    expect(first.code).toBe(0);
    expect(fieldSets(first, 'sample_bankaccount')).toEqual(Array.from({ length: 80 }, () => written));
    expect(pageSelects('sample_bankaccounts')).toEqual([written, written]);
    const cursor = finalStates(first.messages)[0].state.stream.stream_state.modifiedon;
    emulator.tables.advance(60);
    const updated = emulator.tables.update('sample_bankaccount', 4);
    const second = await read('sample_bankaccount', 'incremental', ['sample_name', 'sample_balance'], { state: finalStates(first.messages) });
    expect(second.code).toBe(0);
    const got = records(second.messages, 'sample_bankaccount').map((m) => m.record.data);
    for (const id of updated) expect(got.map((d) => d.sample_bankaccountid)).toContain(id);
    for (const d of got) expect(Object.keys(d).sort()).toEqual(written);
    const page = emulator.requests('org').find((e) => e.path.startsWith('/api/data/v9.2/sample_bankaccounts?'));
    expect(new URL(page!.path, 'https://x').searchParams.get('$filter')).toBe(`modifiedon ge ${cursor}`);
  });
});

describe('a selection the stream cannot serve', () => {
  test('a property the stream does not have: a config error naming it and the stream, before any page', async () => {
    const result = await read('account', 'full_refresh', ['name', 'nosuchcolumn']);
    expect(result.code).toBe(1);
    expect(traceError(result)).toMatch(/^--catalog \S+ streams\[0\]: stream "account" has no property "nosuchcolumn" \(json_schema\.properties\); run discover for the stream's current properties and select among them$/);
    expect(records(result.messages)).toEqual([]);
    expect(pageSelects('accounts')).toEqual([]);
  });

  test('json_schema {} reads every column, as before', async () => {
    const result = await read('account', 'full_refresh', undefined);
    expect(result.code).toBe(0);
    const discovered = await runCli(['discover', '--config', writeJson(`sel-d-${Math.random()}.json`, emulator.config({ entities: ['account'] }))]);
    const properties = Object.keys(ofType(discovered.messages, 'CATALOG')[0].catalog.streams.find((s: { name: string }) => s.name === 'account').json_schema.properties).sort();
    expect(new Set(fieldSets(result, 'account').map((f) => f.join(',')))).toEqual(new Set([properties.join(',')]));
  });
});
