/**
 * Entity streams end to end: discovered types against the emulator's attribute metadata for every
 * AttributeType, full refresh over many pages, incremental reads with change tracking (updates and
 * deletes) and with the modifiedon cursor, expired delta tokens, and check's entity errors.
 */
import { startEmulator, type Emulator } from '../emulator';
import { isODataProperty, type AttributeDef } from '../emulator/model';
import { ofType, records, runCli, statuses, writeJson, type CliResult, type Message } from '../helpers/cli';
import { STATIC_STREAMS } from '../helpers/streams';

let emulator: Emulator;
const ALL_TYPES_ENTITIES = ['account', 'contact', 'opportunity', 'sample_bankaccount', 'appointment', 'calendar', 'savedquery'];

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

function configFile(overrides: Record<string, unknown>): string {
  return writeJson(`entities-config-${Math.random()}.json`, emulator.config(overrides));
}

function catalogFile(streams: Array<[string, 'full_refresh' | 'incremental']>): string {
  return writeJson(`entities-catalog-${Math.random()}.json`, {
    streams: streams.map(([name, mode]) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: 'append' })),
  });
}

async function read(entities: string[], streams: Array<[string, 'full_refresh' | 'incremental']>, state?: Message[], extra: Record<string, unknown> = {}): Promise<CliResult> {
  const args = ['read', '--config', configFile({ entities, page_size: 50, ...extra }), '--catalog', catalogFile(streams)];
  if (state) args.push('--state', writeJson(`entities-state-${Math.random()}.json`, state.map((m) => m.state)));
  return runCli(args);
}

/** The final STATE of each stream: what a platform would save. */
function finalStates(messages: Message[]): Message[] {
  const last = new Map<string, Message>();
  for (const m of ofType(messages, 'STATE')) last.set(m.state.stream.stream_descriptor.name, m);
  return [...last.values()];
}

/** The schema the contract asks for, from the emulator's own attribute model (the oracle). */
function expectedProperties(entity: string, formatted: boolean): Record<string, unknown> {
  const def = emulator.world.org.entities[entity];
  const nullable = (type: string) => ({ type: [type, 'null'] });
  const props: Record<string, unknown> = {};
  for (const a of def.attributes as AttributeDef[]) {
    // The Web API's rule (facts §9): readable and an OData property; AttributeOf alone does not exclude.
    if (!a.isValidForRead || !isODataProperty(a)) continue;
    if (['ImageType', 'FileType', 'VirtualType', 'PartyListType', 'CalendarRulesType'].includes(a.attributeTypeName)) continue;
    let name = a.logicalName;
    let schema: unknown;
    let hasLabel = false;
    let polymorphic = false;
    switch (a.attributeTypeName) {
      case 'LookupType':
      case 'CustomerType':
      case 'OwnerType':
        name = `_${a.logicalName}_value`;
        schema = nullable('string');
        hasLabel = true;
        polymorphic = a.attributeType !== 'Lookup' || (a.targets ?? []).length > 1;
        break;
      case 'PicklistType':
      case 'StateType':
      case 'StatusType':
        schema = nullable('integer');
        hasLabel = true;
        break;
      case 'MultiSelectPicklistType':
        schema = nullable('string');
        hasLabel = true;
        break;
      case 'BooleanType':
        schema = nullable('boolean');
        hasLabel = true;
        break;
      case 'IntegerType':
      case 'BigIntType':
        schema = nullable('integer');
        break;
      case 'DecimalType':
      case 'DoubleType':
      case 'MoneyType':
        schema = nullable('number');
        break;
      case 'DateTimeType':
        schema = a.dateTimeBehavior === 'DateOnly' ? { type: ['string', 'null'], format: 'date' } : { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
        break;
      case 'ManagedPropertyType':
        schema = { type: ['object', 'null'], properties: { Value: nullable('boolean'), CanBeChanged: nullable('boolean'), ManagedPropertyLogicalName: nullable('string') } };
        break;
      default:
        schema = nullable('string');
    }
    props[name] = a.logicalName === def.primaryIdAttribute ? { type: 'string' } : schema;
    if (formatted && hasLabel) props[`${name}__formatted`] = nullable('string');
    if (polymorphic) props[`${name}__lookuplogicalname`] = nullable('string');
  }
  if (def.changeTrackingEnabled) {
    props._ab_cdc_updated_at = { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
    props._ab_cdc_deleted_at = { type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
  }
  return props;
}

describe('discover', () => {
  let result: CliResult;
  beforeAll(async () => {
    emulator.log.length = 0;
    result = await runCli(['discover', '--config', configFile({ entities: ALL_TYPES_ENTITIES, formatted_values: true })]);
  });

  test('one stream per configured entity, after organization, picklist and the metadata streams', () => {
    expect(result.code).toBe(0);
    expect(result.messages[0].catalog.streams.map((s: Message) => s.name)).toEqual([...STATIC_STREAMS, ...ALL_TYPES_ENTITIES]);
  });

  test.each(ALL_TYPES_ENTITIES)('%s: every column typed as its attribute metadata says', (entity) => {
    const stream = result.messages[0].catalog.streams.find((s: Message) => s.name === entity);
    const def = emulator.world.org.entities[entity];
    expect(stream.json_schema.properties).toEqual(expectedProperties(entity, true));
    expect(stream.source_defined_primary_key).toEqual([[def.primaryIdAttribute]]);
    expect(stream.supported_sync_modes).toEqual(['full_refresh', 'incremental']);
    expect(stream.default_cursor_field).toEqual(['modifiedon']);
  });

  test('the configured entities cover every AttributeTypeName', () => {
    const names = new Set(ALL_TYPES_ENTITIES.flatMap((e) => emulator.world.org.entities[e].attributes.map((a) => a.attributeTypeName)));
    expect([...names].sort()).toEqual(
      [
        'BigIntType', 'BooleanType', 'CalendarRulesType', 'CustomerType', 'DateTimeType', 'DecimalType', 'DoubleType', 'EntityNameType', 'FileType', 'ImageType',
        'IntegerType', 'LookupType', 'ManagedPropertyType', 'MemoType', 'MoneyType', 'MultiSelectPicklistType', 'OwnerType', 'PartyListType', 'PicklistType',
        'StateType', 'StatusType', 'StringType', 'UniqueidentifierType', 'VirtualType',
      ].sort(),
    );
  });

  test('discovery reads only the configured entities: one filtered EntityDefinitions and one $batch', () => {
    const org = emulator.requests('org');
    expect(org.map((e) => `${e.method} ${e.path.split('?')[0]}`)).toEqual(['GET /api/data/v9.2/EntityDefinitions', 'POST /api/data/v9.2/$batch']);
    expect(decodeURIComponent(org[0].path)).toContain("$filter=LogicalName eq 'account' or LogicalName eq 'contact'");
    // Per entity: attributes (with IsValidODataAttribute), DateTime behaviours, lookup Targets.
    expect(org[1].inner).toHaveLength(ALL_TYPES_ENTITIES.length * 3);
    expect(org[1].inner!.every((p) => p.status === 200)).toBe(true);
    expect(decodeURIComponent(org[1].inner![0].path)).toContain('$select=LogicalName,AttributeType,AttributeTypeName,AttributeOf,IsValidForRead,IsValidODataAttribute');
    expect(decodeURIComponent(org[1].inner![2].path)).toContain("EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets");
  });
});

describe('full refresh over many pages', () => {
  let result: CliResult;
  beforeAll(async () => {
    emulator.tables.define('contact', { rowCount: 1234 });
    // One request at a time: this block is about the sequential read's pages and states (partitioned-reads.test.ts has the parallel one).
    result = await read(['contact'], [['contact', 'full_refresh']], undefined, { formatted_values: true, max_parallel_requests: 1 });
  });

  test('exactly the emulator rows, once each, one STATE {} of 1234', () => {
    expect(result.code).toBe(0);
    const ids = records(result.messages, 'contact').map((m) => m.record.data.contactid);
    expect(ids).toHaveLength(1234);
    expect(new Set(ids)).toEqual(new Set(emulator.tables.rows('contact').map((r) => r.contactid)));
    expect(finalStates(result.messages).map((m) => [m.state.stream.stream_state, m.state.sourceStats.recordCount])).toEqual([[{}, 1234]]);
    expect(statuses(result.messages, 'contact')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
  });

  test('a TRACE ESTIMATE of the row count comes before the first record', () => {
    const types = result.messages.map((m) => (m.type === 'TRACE' ? `TRACE ${m.trace.type}` : m.type));
    const estimates = result.messages.filter((m) => m.type === 'TRACE' && m.trace.type === 'ESTIMATE').map((m) => m.trace.estimate);
    expect(estimates).toEqual([{ name: 'contact', type: 'STREAM', row_estimate: 1234 }]);
    expect(types.indexOf('TRACE ESTIMATE')).toBeLessThan(types.indexOf('RECORD'));
  });

  test('values as the emulator stores them, labels as __formatted, CDC fields on a change-tracked entity', () => {
    const byId = new Map(emulator.tables.rows('contact').map((r) => [r.contactid, r]));
    for (const m of records(result.messages, 'contact').slice(0, 200)) {
      const data = m.record.data;
      const row = byId.get(data.contactid) as Record<string, unknown>;
      for (const [key, value] of Object.entries(data)) {
        if (key.endsWith('__formatted') || key.endsWith('__lookuplogicalname') || key.startsWith('_ab_cdc_')) continue;
        expect([key, value]).toEqual([key, row[key] ?? null]);
      }
      expect(data._ab_cdc_updated_at).toBe(data.modifiedon);
      expect(data._ab_cdc_deleted_at).toBeNull();
      if (data.statecode !== null) expect(typeof data.statecode__formatted).toBe('string');
    }
  });

  test('every page asked for 50 rows and the formatted values', () => {
    const pages = emulator.requests('org').filter((e) => e.path.includes('/contacts?'));
    expect(pages.length).toBeGreaterThanOrEqual(25);
    // One include-annotations list: contact has polymorphic lookups (ownerid, parentcustomerid).
    for (const p of pages.slice(-25)) expect(p.headers.prefer).toBe('odata.maxpagesize=50,odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"');
  });
});

describe('incremental with change tracking', () => {
  let first: CliResult;
  let second: CliResult;
  let updated: string[];
  let deleted: string[];
  beforeAll(async () => {
    emulator.tables.define('account', { rowCount: 180 });
    // One request at a time: the states at page boundaries of the sequential read (partitioned-reads.test.ts has the parallel one).
    first = await read(['account'], [['account', 'incremental']], undefined, { max_parallel_requests: 1 });
    emulator.tables.advance(3600);
    updated = emulator.tables.update('account', 7);
    deleted = emulator.tables.delete('account', 4);
    second = await read(['account'], [['account', 'incremental']], finalStates(first.messages), { max_parallel_requests: 1 });
  });

  test('read 1: every row, states at page boundaries ending in a delta token', () => {
    expect(first.code).toBe(0);
    expect(records(first.messages, 'account')).toHaveLength(180);
    const states = ofType(first.messages, 'STATE').map((m) => m.state);
    expect(states.map((s) => s.sourceStats.recordCount)).toEqual([50, 50, 50, 30]);
    expect(Object.keys(states[3].stream.stream_state)).toEqual(['deltatoken']);
    for (const s of states.slice(0, 3)) expect(Object.keys(s.stream.stream_state)).toEqual(['resume_link']);
  });

  test('read 2 from read 1 state: exactly K + D records, updates as rows, deletes marked', () => {
    expect(second.code).toBe(0);
    const got = records(second.messages, 'account').map((m) => m.record.data);
    expect(got).toHaveLength(7 + 4);
    const rows = got.filter((d) => d._ab_cdc_deleted_at === null);
    const deletes = got.filter((d) => d._ab_cdc_deleted_at !== null);
    expect(new Set(rows.map((d) => d.accountid))).toEqual(new Set(updated));
    expect(new Set(deletes.map((d) => d.accountid))).toEqual(new Set(deleted));
    for (const d of rows) expect(d._ab_cdc_updated_at).toBe(d.modifiedon);
    for (const d of deletes) {
      expect(Object.keys(d).sort()).toEqual(['_ab_cdc_deleted_at', '_ab_cdc_updated_at', 'accountid']);
      expect(d._ab_cdc_updated_at).toBe(d._ab_cdc_deleted_at);
      expect(Number.isNaN(Date.parse(d._ab_cdc_deleted_at))).toBe(false);
    }
    expect(finalStates(second.messages)[0].state.sourceStats.recordCount).toBe(11);
  });

  test('an expired delta token falls back to a full resync, said in a LOG', async () => {
    emulator.tables.expireDeltaTokens('account');
    const third = await read(['account'], [['account', 'incremental']], finalStates(second.messages));
    expect(third.code).toBe(0);
    const logs = ofType(third.messages, 'LOG').map((m) => m.log);
    expect(logs).toContainEqual({ level: 'WARN', message: 'account: the saved delta token has expired (0x80044352); reading the whole table again' });
    expect(records(third.messages, 'account')).toHaveLength(180 - 4);
  });
});

describe('incremental with the modifiedon cursor (no change tracking)', () => {
  test('read 2 returns the updated rows and the boundary row, never fewer', async () => {
    emulator.tables.define('sample_bankaccount', { rowCount: 120 });
    const first = await read(['sample_bankaccount'], [['sample_bankaccount', 'incremental']]);
    expect(first.code).toBe(0);
    const firstRecords = records(first.messages, 'sample_bankaccount').map((m) => m.record.data);
    expect(firstRecords).toHaveLength(120);
    const states = ofType(first.messages, 'STATE').map((m) => m.state);
    expect(states.map((s) => s.sourceStats.recordCount)).toEqual([50, 50, 20]);
    const cursor = states[2].stream.stream_state.modifiedon;
    expect(cursor).toBe(firstRecords.map((d) => d.modifiedon).sort().pop());
    emulator.tables.advance(60);
    const updated = emulator.tables.update('sample_bankaccount', 5);
    const second = await read(['sample_bankaccount'], [['sample_bankaccount', 'incremental']], finalStates(first.messages));
    const ids = new Set(records(second.messages, 'sample_bankaccount').map((m) => m.record.data.sample_bankaccountid));
    const boundary = firstRecords.filter((d) => d.modifiedon === cursor).map((d) => d.sample_bankaccountid);
    expect(ids).toEqual(new Set([...updated, ...boundary]));
    expect(decodeURIComponent(emulator.requests('org').filter((e) => e.path.includes('/sample_bankaccounts?')).pop()!.path)).toContain(`$filter=modifiedon ge ${cursor}`);
  });

  test('a future state emits no records and one STATE', async () => {
    const future = [{ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 'sample_bankaccount' }, stream_state: { modifiedon: '2999-01-01T00:00:00Z' } }, sourceStats: { recordCount: 0 } } }];
    const result = await read(['sample_bankaccount'], [['sample_bankaccount', 'incremental']], future);
    expect(result.code).toBe(0);
    expect(records(result.messages)).toEqual([]);
    expect(ofType(result.messages, 'STATE').map((m) => m.state.stream.stream_state)).toEqual([{ modifiedon: '2999-01-01T00:00:00Z' }]);
  });
});

describe('check verifies each configured entity', () => {
  test.each([
    [['account', 'nosuchentity'], () => `config entities: "nosuchentity" does not exist in ${emulator.orgUrl}; use table logical names (e.g. account, opportunity)`],
    [['competitor'], () => `The application user of app ${emulator.config().client_id} lacks the prvReadCompetitor privilege in ${emulator.orgUrl}: assign it the System Reader role, or add the prvReadCompetitor privilege to its read-only role (setup step 3).`],
  ])('%j: FAILED naming it', async (entities, message) => {
    const result = await runCli(['check', '--config', configFile({ entities })]);
    expect(result.code).toBe(0);
    expect(result.messages.map((m) => m.connectionStatus)).toEqual([{ status: 'FAILED', message: message() }]);
  });

  test('good entities: SUCCEEDED, reading one row of each', async () => {
    emulator.log.length = 0;
    const result = await runCli(['check', '--config', configFile({ entities: ['account', 'sample_bankaccount'] })]);
    expect(result.messages.map((m) => m.connectionStatus)).toEqual([{ status: 'SUCCEEDED' }]);
    const pages = emulator.requests('org').filter((e) => /\/(accounts|sample_bankaccounts)\?/.test(e.path));
    // Both have ownerid (Owner: polymorphic), so both ask for its target annotation.
    expect(pages.map((e) => [e.path.split('?')[0], e.headers.prefer])).toEqual([
      ['/api/data/v9.2/accounts', 'odata.maxpagesize=1,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"'],
      ['/api/data/v9.2/sample_bankaccounts', 'odata.maxpagesize=1,odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"'],
    ]);
  });
});
