/**
 * Partitioned reads end to end (issue 11): the built CLI with `max_parallel_requests` against the
 * emulator. Full refresh of three entities and of one 60,000-row entity in createdon ranges,
 * every row exactly once with exact recordCounts; a first change-tracked sync in ranges beside a
 * key-only tracking pass, then updates, deletes and inserts, and a delta that returns exactly
 * those changes.
 */
import { startEmulator, type Emulator } from '../emulator';
import { createDefaultWorld } from '../emulator/world';
import { ofType, records, runCli, writeJson, type CliResult, type Message } from '../helpers/cli';

let emulator: Emulator;
const ROWS: Record<string, number> = { account: 60_000, contact: 12_000, opportunity: 11_000, appointment: 13_000 };
const KEYS: Record<string, string> = { account: 'accountid', contact: 'contactid', opportunity: 'opportunityid', appointment: 'activityid' };

beforeAll(async () => {
  const world = createDefaultWorld();
  world.org.tables = Object.fromEntries(Object.entries(ROWS).map(([entity, rowCount]) => [entity, { rowCount }]));
  emulator = await startEmulator({ world });
});
afterAll(() => emulator.close());

async function read(entities: string[], mode: 'full_refresh' | 'incremental', extra: Record<string, unknown>, state?: Message[]): Promise<CliResult> {
  const config = writeJson(`partitioned-config-${Math.random()}.json`, emulator.config({ entities, max_parallel_requests: 4, ...extra }));
  const catalog = writeJson(`partitioned-catalog-${Math.random()}.json`, {
    streams: entities.map((name) => ({ stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: mode, destination_sync_mode: 'append' })),
  });
  const args = ['read', '--config', config, '--catalog', catalog];
  if (state) args.push('--state', writeJson(`partitioned-state-${Math.random()}.json`, state.map((m) => m.state)));
  const result = await runCli(args, { timeoutMs: 240_000 });
  if (result.code !== 0) console.log(result.messages.filter((m) => m.type !== 'RECORD').map((m) => JSON.stringify(m)).join('\n').slice(0, 3000), result.stderr.slice(0, 2000));
  return result;
}

/** Each STATE's recordCount is exactly the records of its stream since its previous STATE; returns the last STATE per stream. */
function checkCounts(messages: Message[]): Map<string, Message> {
  const since = new Map<string, number>();
  const last = new Map<string, Message>();
  for (const m of messages) {
    if (m.type === 'RECORD') since.set(m.record.stream, (since.get(m.record.stream) ?? 0) + 1);
    if (m.type === 'STATE') {
      const name = m.state.stream.stream_descriptor.name;
      expect([name, m.state.sourceStats.recordCount]).toEqual([name, since.get(name) ?? 0]);
      since.set(name, 0);
      last.set(name, m);
    }
  }
  return last;
}

/** The ids of the live rows of a table nobody mutated: base rows 0..n-1. */
const baseIds = (entity: string) => Array.from({ length: ROWS[entity] }, (_, i) => emulator.tables.idAt(entity, i));

/** Entity-set GETs of `set` since `from` (an index into the request log), decoded. */
function entityGets(set: string, from: number): string[] {
  return emulator
    .requests('org')
    .slice(from)
    .filter((e) => e.method === 'GET' && e.path.startsWith(`/api/data/v9.2/${set}?`))
    .map((e) => decodeURIComponent(e.path));
}

test('full refresh of three entities in createdon ranges: every row exactly once, exact counts, an empty final state each', async () => {
  const from = emulator.requests('org').length;
  const result = await read(['contact', 'opportunity', 'appointment'], 'full_refresh', { page_size: 1000 });
  expect(result.code).toBe(0);
  const last = checkCounts(result.messages);
  for (const entity of ['contact', 'opportunity', 'appointment']) {
    const ids = records(result.messages, entity).map((r) => r.record.data[KEYS[entity]]);
    expect([entity, ids.length]).toEqual([entity, ROWS[entity]]);
    expect(new Set(ids)).toEqual(new Set(baseIds(entity)));
    expect(last.get(entity)?.state.stream.stream_state).toEqual({});
  }
  const gets = entityGets('contacts', from);
  // Two one-row bound requests, 16 ranges (4 per worker; twice the 12 estimated pages would allow 24) and the null partition.
  expect(gets.filter((g) => g.includes('$top=1'))).toHaveLength(2);
  expect(gets.filter((g) => g.includes('$filter=createdon eq null'))).toHaveLength(1);
  expect(new Set(gets.filter((g) => !g.includes('$top=1')).map((g) => g.replace(/&\$skiptoken=.*$/, ''))).size).toBe(17);
});

test('one 60,000-row entity: every row exactly once, in parallel ranges of 5,000-row pages', async () => {
  const from = emulator.requests('org').length;
  const result = await read(['account'], 'full_refresh', { page_size: 5000 });
  expect(result.code).toBe(0);
  checkCounts(result.messages);
  const ids = records(result.messages, 'account').map((r) => r.record.data.accountid);
  expect(ids).toHaveLength(60_000);
  expect(new Set(ids)).toEqual(new Set(baseIds('account')));
  const gets = entityGets('accounts', from);
  expect(gets[0]).toBe('/api/data/v9.2/accounts?$select=accountid,createdon&$filter=createdon ne null&$orderby=createdon asc&$top=1');
  expect(gets[1]).toBe('/api/data/v9.2/accounts?$select=accountid,createdon&$filter=createdon ne null&$orderby=createdon desc&$top=1');
  expect(gets.slice(2).every((g) => g.includes('$filter=createdon '))).toBe(true);
});

test('first change-tracked sync in ranges, then updates, deletes and inserts: the next delta returns exactly those changes', async () => {
  const before = emulator.requests('org').length;
  const first = await read(['opportunity'], 'incremental', { page_size: 1000 });
  expect(first.code).toBe(0);
  const last = checkCounts(first.messages);
  const ids = records(first.messages, 'opportunity').map((r) => r.record.data.opportunityid);
  expect(ids).toHaveLength(ROWS.opportunity);
  expect(new Set(ids)).toEqual(new Set(baseIds('opportunity')));
  const state = last.get('opportunity') as Message;
  expect(Object.keys(state.state.stream.stream_state)).toEqual(['deltatoken']);
  // The key-only tracking pass came first; the data ranges read without change tracking.
  const log = emulator.requests('org').slice(before).filter((e) => e.path.startsWith('/api/data/v9.2/opportunities?'));
  expect(decodeURIComponent(log[0].path)).toBe('/api/data/v9.2/opportunities?$select=opportunityid');
  expect(log[0].headers.prefer).toBe('odata.maxpagesize=5000,odata.track-changes');
  const tracked = log.filter((e) => String(e.headers.prefer).includes('odata.track-changes'));
  expect(tracked.map((e) => decodeURIComponent(e.path).replace(/&\$skiptoken=.*$/, ''))).toEqual(Array(3).fill('/api/data/v9.2/opportunities?$select=opportunityid'));
  expect(log.filter((e) => !String(e.headers.prefer).includes('odata.track-changes')).every((e) => decodeURIComponent(e.path).includes('$filter=createdon '))).toBe(true);

  emulator.tables.advance(60);
  const updated = emulator.tables.update('opportunity', 5);
  const deleted = emulator.tables.delete('opportunity', 3);
  const inserted = emulator.tables.insert('opportunity', 2);
  const second = await read(['opportunity'], 'incremental', { page_size: 1000 }, [state]);
  expect(second.code).toBe(0);
  checkCounts(second.messages);
  const changes = records(second.messages, 'opportunity').map((r) => r.record.data);
  expect(changes.filter((c) => c._ab_cdc_deleted_at === null).map((c) => c.opportunityid).sort()).toEqual([...updated, ...inserted].sort());
  expect(changes.filter((c) => c._ab_cdc_deleted_at !== null).map((c) => c.opportunityid).sort()).toEqual([...deleted].sort());
  expect(ofType(second.messages, 'STATE').at(-1)?.state.stream.stream_state.deltatoken).not.toBe(state.state.stream.stream_state.deltatoken);
});
