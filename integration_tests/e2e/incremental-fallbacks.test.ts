/**
 * Incremental reads on what real orgs do (facts §9), end to end through the built CLI: an empty
 * `{}` no-change delta, change tracking refused with 403 to a role with business-unit read, an
 * entity with neither change tracking nor modifiedon, and a last change-tracking page without its
 * deltaLink.
 */
import { startEmulator, type Emulator } from '../emulator';
import type { AttributeDef } from '../emulator/model';
import { ofType, records, runCli, statuses, writeJson, type CliResult, type Message } from '../helpers/cli';

/** account has ownerid (Owner): its pages ask for the lookup targets (lookuplogicalname). */
const LOOKUPS = 'odata.include-annotations="Microsoft.Dynamics.CRM.lookuplogicalname"';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.close());

type Mode = 'full_refresh' | 'incremental';

function configFile(overrides: Record<string, unknown>): string {
  return writeJson(`fallbacks-config-${Math.random()}.json`, emulator.config(overrides));
}

async function read(entity: string, mode: Mode, state?: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<CliResult> {
  const catalog = writeJson(`fallbacks-catalog-${Math.random()}.json`, {
    streams: [{ stream: { name: entity, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: 'append' }],
  });
  const args = ['read', '--config', configFile({ entities: [entity], page_size: 50, ...extra }), '--catalog', catalog];
  if (state) args.push('--state', writeJson(`fallbacks-state-${Math.random()}.json`, [{ type: 'STREAM', stream: { stream_descriptor: { name: entity }, stream_state: state } }]));
  emulator.log.length = 0;
  return runCli(args);
}

const states = (r: CliResult) => ofType(r.messages, 'STATE').map((m) => [m.state.stream.stream_state, m.state.sourceStats.recordCount]);
const lastState = (r: CliResult) => ofType(r.messages, 'STATE').pop()?.state.stream.stream_state as Record<string, unknown>;
const logs = (r: CliResult, level: string) => ofType(r.messages, 'LOG').filter((m) => m.log.level === level).map((m) => m.log.message as string);
const errors = (r: CliResult) => ofType(r.messages, 'TRACE').filter((m) => m.trace.type === 'ERROR').map((m) => m.trace.error);
/** The entity-set requests of the last run: decoded path and the Prefer header. */
const pages = (set: string) =>
  emulator
    .requests('org')
    .filter((e) => e.path.startsWith(`/api/data/v9.2/${set}?`))
    .map((e) => ({ path: decodeURIComponent(e.path), prefer: e.headers.prefer as string, status: e.status }));
const ids = (r: CliResult, key: string) => records(r.messages).map((m) => m.record.data[key] as string);

describe('an empty no-change delta ({}) keeps the token', () => {
  let token: string;
  beforeAll(async () => {
    emulator.tables.define('account', { rowCount: 120 });
    const first = await read('account', 'incremental');
    expect(first.code).toBe(0);
    token = lastState(first).deltatoken as string;
    emulator.tables.setChangeTrackingQuirks('account', { emptyNoChangeDelta: true });
  });
  afterAll(() => emulator.tables.setChangeTrackingQuirks('account', {}));

  test('no records, one STATE with the same deltatoken and recordCount 0, exit 0, one request', async () => {
    const result = await read('account', 'incremental', { deltatoken: token });
    expect(result.code).toBe(0);
    expect(records(result.messages)).toEqual([]);
    expect(states(result)).toEqual([[{ deltatoken: token }, 0]]);
    expect(statuses(result.messages, 'account')).toEqual(['STARTED', 'RUNNING', 'COMPLETE']);
    expect(pages('accounts')).toEqual([
      { path: `/api/data/v9.2/accounts?$select=accountid&$deltatoken=${token}`, prefer: 'odata.maxpagesize=5000,odata.track-changes', status: 200 },
    ]);
  });

  test('with changes: the key pass, then the data delta; exactly the changed rows and a new token', async () => {
    emulator.tables.advance(60);
    const updated = emulator.tables.update('account', 3);
    const result = await read('account', 'incremental', { deltatoken: token });
    expect(result.code).toBe(0);
    expect(new Set(ids(result, 'accountid'))).toEqual(new Set(updated));
    expect(ids(result, 'accountid')).toHaveLength(3);
    const final = ofType(result.messages, 'STATE');
    expect(final).toHaveLength(1);
    expect(final[0].state.sourceStats.recordCount).toBe(3);
    expect(final[0].state.stream.stream_state.deltatoken).not.toBe(token);
    expect(pages('accounts').map((p) => p.path.replace(/\?.*\$select=([^&]*).*/, ' $select=$1'))).toEqual([
      '/api/data/v9.2/accounts $select=accountid',
      expect.stringMatching(/^\/api\/data\/v9\.2\/accounts \$select=.*,name,/),
    ]);
  });

  test.each([
    ['an initial change-tracking page', 'incremental' as Mode, 'odata.track-changes'],
    ['a plain full-refresh page', 'full_refresh' as Mode, undefined],
  ])('%s answering {} is an error: system_error, nothing emitted', async (_name, mode, prefer) => {
    const rule = emulator.faults.add({ target: 'org', path: /\/accounts\?/, action: { kind: 'status', status: 200, body: {} } });
    const result = await read('account', mode);
    rule.remove();
    expect(result.code).toBe(1);
    expect(errors(result).map((e) => [e.failure_type, e.message])).toEqual([['system_error', expect.stringContaining('"value"')]]);
    expect(records(result.messages)).toEqual([]);
    expect(ofType(result.messages, 'STATE')).toEqual([]);
    expect(pages('accounts')).toHaveLength(1);
    if (prefer) expect(pages('accounts')[0].prefer).toContain(prefer);
    else expect(pages('accounts')[0].prefer).not.toContain('track-changes');
  });
});

describe('change tracking refused (403) to a role with business-unit read', () => {
  const WHY =
    "Dataverse refused change tracking on table account (HTTP 403, 0x80040220): the application user's role reads the table below organization level, " +
    'and change tracking (with deleted rows) needs organization-level read (setup step 3: the System Reader role has it)';
  let first: CliResult;
  beforeAll(async () => {
    emulator.tables.define('account', { rowCount: 120 });
    emulator.world.org.entities.account.readDepth = 'Local';
    first = await read('account', 'incremental');
  });
  afterAll(() => {
    emulator.world.org.entities.account.readDepth = undefined;
  });

  test('falls back to the modifiedon cursor: WARN LOG, every row, cursor-form STATEs', () => {
    expect(first.code).toBe(0);
    expect(logs(first, 'WARN')).toEqual([`${WHY}. Reading changes by modifiedon instead; deleted rows are not seen`]);
    expect(new Set(ids(first, 'accountid'))).toEqual(new Set(emulator.tables.rows('account').map((r) => r.accountid)));
    expect(ids(first, 'accountid')).toHaveLength(120);
    const newest = records(first.messages).map((m) => m.record.data.modifiedon as string).sort().pop();
    expect(states(first)).toEqual([
      [{ modifiedon: expect.any(String) }, 50],
      [{ modifiedon: expect.any(String) }, 50],
      [{ modifiedon: newest }, 20],
    ]);
  });

  test('requests: the refused change-tracking page, a one-row plain probe, then three cursor pages', () => {
    const got = pages('accounts');
    expect(got.map((p) => [p.status, p.prefer])).toEqual([
      [403, `odata.maxpagesize=50,${LOOKUPS},odata.track-changes`],
      [200, 'odata.maxpagesize=1'],
      [200, `odata.maxpagesize=50,${LOOKUPS}`],
      [200, `odata.maxpagesize=50,${LOOKUPS}`],
      [200, `odata.maxpagesize=50,${LOOKUPS}`],
    ]);
    expect(got[1].path).toBe('/api/data/v9.2/accounts?$select=accountid');
    expect(got[2].path).toContain('$orderby=modifiedon asc,accountid asc&$filter=modifiedon ge 1900-01-01T00:00:00Z');
  });

  test('a later run with that state stays a cursor read: no change-tracking request, no WARN', async () => {
    emulator.tables.advance(60);
    const updated = emulator.tables.update('account', 2);
    const cursor = lastState(first).modifiedon as string;
    const second = await read('account', 'incremental', lastState(first));
    expect(second.code).toBe(0);
    expect(logs(second, 'WARN')).toEqual([]);
    const boundary = records(first.messages).filter((m) => m.record.data.modifiedon === cursor).map((m) => m.record.data.accountid);
    expect(new Set(ids(second, 'accountid'))).toEqual(new Set([...updated, ...boundary]));
    expect(pages('accounts').map((p) => p.prefer)).toEqual([`odata.maxpagesize=50,${LOOKUPS}`]);
    expect(pages('accounts')[0].path).toContain(`$filter=modifiedon ge ${cursor}`);
    expect(lastState(second)).toEqual({ modifiedon: emulator.tables.rows('account').find((r) => r.accountid === updated[0])?.modifiedon });
  });

  test('a 403 on a plain read too is the missing privilege, as before: config_error, nothing emitted', async () => {
    const result = await read('competitor', 'incremental');
    expect(result.code).toBe(1);
    expect(errors(result).map((e) => [e.failure_type, e.message])).toEqual([
      [
        'config_error',
        `The application user of app ${emulator.config().client_id} lacks the prvReadCompetitor privilege in ${emulator.orgUrl}: assign it the System Reader role, or add the prvReadCompetitor privilege to its read-only role (setup step 3).`,
      ],
    ]);
    expect(records(result.messages)).toEqual([]);
    expect(ofType(result.messages, 'STATE')).toEqual([]);
    expect(pages('competitors').map((p) => [p.status, p.prefer])).toEqual([
      [403, 'odata.maxpagesize=50,odata.track-changes'],
      [403, 'odata.maxpagesize=1'],
    ]);
  });
});

describe('no modifiedon column', () => {
  const saved = new Map<string, AttributeDef[]>();
  beforeAll(() => {
    for (const entity of ['account', 'calendar']) {
      const def = emulator.world.org.entities[entity];
      saved.set(entity, def.attributes);
      def.attributes = def.attributes.filter((a) => a.logicalName !== 'modifiedon');
    }
    emulator.tables.define('account', { rowCount: 60 });
    emulator.tables.define('calendar', { rowCount: 10 });
  });
  afterAll(() => {
    for (const [entity, attributes] of saved) emulator.world.org.entities[entity].attributes = attributes;
  });

  test('discover: without change tracking, full_refresh only and no cursor; with it, incremental on the token alone', async () => {
    const result = await runCli(['discover', '--config', configFile({ entities: ['calendar', 'account'] })]);
    expect(result.code).toBe(0);
    const streams = new Map<string, Message>(result.messages[0].catalog.streams.map((s: Message) => [s.name, s]));
    const pick = (s: Message) => ({ modes: s.supported_sync_modes, defined: s.source_defined_cursor, cursor: s.default_cursor_field, resumable: s.is_resumable });
    expect(pick(streams.get('calendar') as Message)).toEqual({ modes: ['full_refresh'], defined: undefined, cursor: undefined, resumable: false });
    expect(pick(streams.get('account') as Message)).toEqual({ modes: ['full_refresh', 'incremental'], defined: true, cursor: undefined, resumable: true });
    expect('modifiedon' in streams.get('account')?.json_schema.properties).toBe(false);
    expect(streams.get('account')?.json_schema.properties._ab_cdc_updated_at).toEqual({ type: ['string', 'null'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' });
  });

  test('incremental asked for calendar: refused before any row request, config_error naming the fix', async () => {
    const result = await read('calendar', 'incremental');
    expect(result.code).toBe(1);
    expect(errors(result).map((e) => [e.failure_type, e.message])).toEqual([
      [
        'config_error',
        expect.stringMatching(
          /^--catalog \S+: stream "calendar" does not support incremental \(supported: full_refresh\): table calendar has neither change tracking nor a modifiedon column, so its changes cannot be read \(enable change tracking on the table to read it incrementally\); set its sync_mode to full_refresh$/,
        ),
      ],
    ]);
    expect(records(result.messages)).toEqual([]);
    expect(pages('calendars')).toEqual([]);
    const full = await read('calendar', 'full_refresh');
    expect([full.code, errors(full)]).toEqual([0, []]);
    expect(ids(full, 'calendarid')).toHaveLength(10);
  });

  test('account (change tracking, no modifiedon): rows stamped with the time they were read, then exactly the changes', async () => {
    const before = Date.now();
    const first = await read('account', 'incremental');
    const after = Date.now();
    expect(first.code).toBe(0);
    const data = records(first.messages).map((m) => m.record.data);
    expect(data).toHaveLength(60);
    for (const d of data) {
      const at = Date.parse(d._ab_cdc_updated_at);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(after);
      expect(d._ab_cdc_deleted_at).toBeNull();
    }
    expect(Object.keys(lastState(first))).toEqual(['deltatoken']);
    emulator.tables.advance(60);
    const updated = emulator.tables.update('account', 2);
    const deleted = emulator.tables.delete('account', 1);
    const second = await read('account', 'incremental', lastState(first));
    expect(second.code).toBe(0);
    const changes = records(second.messages).map((m) => m.record.data);
    expect(changes.filter((d) => d._ab_cdc_deleted_at === null).map((d) => d.accountid).sort()).toEqual([...updated].sort());
    expect(changes.filter((d) => d._ab_cdc_deleted_at !== null).map((d) => d.accountid)).toEqual(deleted);
    for (const d of changes) expect(Number.isNaN(Date.parse(d._ab_cdc_updated_at))).toBe(false);
  });

  test('account full refresh: no change to stamp, so _ab_cdc_updated_at is null (the schema allows it)', async () => {
    const full = await read('account', 'full_refresh');
    expect(full.code).toBe(0);
    const data = records(full.messages).map((m) => m.record.data);
    expect(data.length).toBeGreaterThan(50);
    expect(data.filter((d) => d._ab_cdc_updated_at !== null || d._ab_cdc_deleted_at !== null)).toEqual([]);
  });

  test('account with business-unit read and no modifiedon: nothing to fall back on, config_error naming setup step 3', async () => {
    emulator.world.org.entities.account.readDepth = 'Local';
    const result = await read('account', 'incremental');
    emulator.world.org.entities.account.readDepth = undefined;
    expect(result.code).toBe(1);
    expect(errors(result).map((e) => [e.failure_type, e.message])).toEqual([['config_error', expect.stringMatching(/setup step 3.*; the table has no modifiedon column to read changes by instead$/)]]);
    expect(records(result.messages)).toEqual([]);
  });
});

describe('a last change-tracking page without its deltaLink', () => {
  const WARN = 'account: the last change-tracking page had no @odata.deltaLink; the state keeps a delta token taken before the read, so the next sync may repeat some changes';
  const FORMATTED = 'odata.include-annotations="OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname"';
  let first: CliResult;
  beforeAll(async () => {
    emulator.tables.define('account', { rowCount: 120 });
    emulator.tables.setChangeTrackingQuirks('account', { missingDeltaLink: 'formatted' });
    first = await read('account', 'incremental', undefined, { formatted_values: true });
  });
  afterAll(() => emulator.tables.setChangeTrackingQuirks('account', {}));

  test('read 1: every row, a WARN, and a final STATE holding the token of the key pass taken before the data', () => {
    expect(first.code).toBe(0);
    expect(ids(first, 'accountid')).toHaveLength(120);
    expect(logs(first, 'WARN')).toEqual([WARN]);
    const got = pages('accounts');
    expect(got.map((p) => p.prefer)).toEqual([
      'odata.maxpagesize=5000,odata.track-changes',
      `odata.maxpagesize=50,${FORMATTED},odata.track-changes`,
      `odata.maxpagesize=50,${FORMATTED},odata.track-changes`,
      `odata.maxpagesize=50,${FORMATTED},odata.track-changes`,
    ]);
    expect(got[0].path).toBe('/api/data/v9.2/accounts?$select=accountid');
    const token = lastState(first).deltatoken as string;
    expect(token).toMatch(/^\d+!\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    expect(states(first)).toEqual([
      [{ deltatoken: token, resume_link: expect.any(String) }, 50],
      [{ deltatoken: token, resume_link: expect.any(String) }, 50],
      [{ deltatoken: token }, 20],
    ]);
  });

  test('read 2: exactly the updates, deletes and inserts made since; then read 3 finds nothing in one request', async () => {
    emulator.tables.advance(3600);
    const updated = emulator.tables.update('account', 4);
    const deleted = emulator.tables.delete('account', 2);
    const inserted = emulator.tables.insert('account', 3);
    const second = await read('account', 'incremental', lastState(first), { formatted_values: true });
    expect(second.code).toBe(0);
    const changes = records(second.messages).map((m) => m.record.data);
    expect(changes).toHaveLength(9);
    expect(new Set(changes.filter((d) => d._ab_cdc_deleted_at === null).map((d) => d.accountid))).toEqual(new Set([...updated, ...inserted]));
    expect(changes.filter((d) => d._ab_cdc_deleted_at !== null).map((d) => d.accountid).sort()).toEqual([...deleted].sort());
    expect(logs(second, 'WARN')).toEqual([WARN]);
    expect(states(second)).toEqual([[{ deltatoken: expect.any(String) }, 9]]);
    expect(lastState(second).deltatoken).not.toBe(lastState(first).deltatoken);
    expect(pages('accounts').map((p) => p.path.split('&$deltatoken=')[0])).toEqual(['/api/data/v9.2/accounts?$select=accountid', expect.stringContaining(',name,')]);

    const third = await read('account', 'incremental', lastState(second), { formatted_values: true });
    expect(third.code).toBe(0);
    expect(records(third.messages)).toEqual([]);
    expect(states(third)).toEqual([[{ deltatoken: expect.any(String) }, 0]]);
    expect(pages('accounts')).toHaveLength(1);
  });

  test("'always' on an initial sync without formatted values: no token from before the read, system_error", async () => {
    emulator.tables.setChangeTrackingQuirks('account', { missingDeltaLink: 'always' });
    const result = await read('account', 'incremental');
    expect(result.code).toBe(1);
    expect(errors(result).map((e) => [e.failure_type, e.message])).toEqual([
      ['system_error', expect.stringContaining('account: the last page of a change-tracking read has no @odata.deltaLink, and no delta token from before the read is at hand')],
    ]);
    expect(ofType(result.messages, 'STATE').map((m) => Object.keys(m.state.stream.stream_state))).toEqual([['resume_link'], ['resume_link']]);
  });
});
